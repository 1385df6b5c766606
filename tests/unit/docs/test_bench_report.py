"""scripts/bench_report.py writes docs/PERFORMANCE.md from one `make bench` run: its own sections
replace their old text, and every other section of the file (results recorded from benchmarks
outside the run) is kept as it was."""
import os
import sys
import tempfile
import unittest
from pathlib import Path

sys.path.insert(0, str(Path(os.environ["PICTOR_SOURCE_DIR"]) / "scripts"))
import bench_report  # noqa: E402


class MergeKeptSections(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory(prefix="pictor-bench-report-")
        self.addCleanup(self.dir.cleanup)
        self.output = Path(self.dir.name) / "PERFORMANCE.md"

    def test_generated_sections_replace_theirs_and_the_others_are_kept_in_order(self):
        self.output.write_text("# Performance\n\nold intro\n\n## HTTP\nold http\n\n"
                               "## Soak\nsoak figures\n\n## HTTPS\ntls figures\n")
        merged = bench_report.merge_kept_sections(
            ["# Performance", "", "new intro", "", "## HTTP", "new http", ""], self.output)
        self.assertEqual(merged, "# Performance\n\nnew intro\n\n## HTTP\nnew http\n\n"
                                 "## Soak\nsoak figures\n\n## HTTPS\ntls figures\n")

    def test_a_new_file_is_the_report_alone(self):
        merged = bench_report.merge_kept_sections(["# Performance", "", "## HTTP", "x"],
                                                  self.output)
        self.assertEqual(merged, "# Performance\n\n## HTTP\nx\n")

    def test_the_repositorys_file_keeps_every_section_a_run_would_not_write(self):
        # The headings the report writes are those of its own `add("## ...")` lines.
        source = (Path(os.environ["PICTOR_SOURCE_DIR"]) / "scripts" / "bench_report.py").read_text()
        self.assertIn('add("## HTTP', source)
        real = Path(os.environ["PICTOR_SOURCE_DIR"]) / "docs" / "PERFORMANCE.md"
        self.output.write_text(real.read_text())
        headings = [h for h, _ in bench_report.sections(real.read_text())]
        merged = bench_report.merge_kept_sections(["# Performance", ""], self.output)
        self.assertEqual([h for h, _ in bench_report.sections(merged)], headings)


if __name__ == "__main__":
    unittest.main()
