"""The serverless-versus-containers essay's cost model (scripts/cost_model.py): costs grow with
volume and fall per image, every crossover it reports is one, the essay's recommendation holds
for the model's numbers, and the essay's table and plots are exactly what the script writes."""

import importlib.util
import math
import os
import re
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(os.environ.get("PICTOR_SOURCE_DIR", Path(__file__).resolve().parents[3]))
SCRIPT = ROOT / "scripts" / "cost_model.py"
ESSAY = ROOT / "docs" / "SERVERLESS-VS-CONTAINERS.md"


def load_model():
    spec = importlib.util.spec_from_file_location("cost_model", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


cm = load_model()
GRID = [1e3 * 10 ** (k / 40) for k in range(161)]  # 1 k to 10 M, 40 points a decade


def essay_block(text):
    m = re.search(re.escape(cm.BEGIN) + r"\n(.*?)" + re.escape(cm.END), text, re.S)
    return m.group(1) if m else None


def line_by_name(text):
    for line in cm.lines():
        if cm.name(line) == text:
            return line
    raise KeyError(text)


class CostModel(unittest.TestCase):
    def test_monthly_cost_grows_with_volume_on_every_line(self):
        for line in cm.lines():
            costs = [cm.monthly_cost(*line, n) for n in GRID]
            for a, b, n in zip(costs, costs[1:], GRID[1:]):
                self.assertGreater(b, a, "%s falls at %d images" % (cm.name(line), n))

    def test_cost_per_image_never_rises_with_volume(self):
        for line in cm.lines():
            per = [cm.per_thousand(*line, n) for n in GRID]
            for a, b, n in zip(per, per[1:], GRID[1:]):
                self.assertLessEqual(b, a * (1 + 1e-9), "%s per image rises at %d" %
                                     (cm.name(line), n))

    def test_costs_are_finite_and_cover_the_model_price(self):
        for line in cm.lines():
            for n in GRID:
                cost = cm.monthly_cost(*line, n)
                self.assertTrue(math.isfinite(cost) and cost > 0)
                if line[1] == "titan":
                    self.assertGreaterEqual(cost, n * cm.v("titan_price"))

    def test_with_titan_the_model_is_most_of_the_bill_from_100k_images(self):
        # The essay's first finding: with Titan the compute path moves the bill by little.
        for compute in cm.COMPUTES:
            for n in (1e5, 1e6, 1e7):
                share = n * cm.v("titan_price") / cm.monthly_cost(compute, "titan", n)
                self.assertGreater(share, 0.97, (compute, n, share))

    def test_every_reported_crossover_is_a_sign_change_with_the_named_winner_above(self):
        for a, b in cm.crossover_pairs():
            for volume, cheaper in cm.crossing(a, b):
                other = b if cheaper == a else a
                below, above = volume * 0.98, volume * 1.02
                self.assertLess(cm.monthly_cost(*cheaper, above), cm.monthly_cost(*other, above))
                self.assertGreater(cm.monthly_cost(*cheaper, below),
                                   cm.monthly_cost(*other, below))

    def test_pairs_without_a_crossover_keep_one_winner_over_the_whole_range(self):
        for a, b in cm.crossover_pairs():
            if cm.crossing(a, b):
                continue
            signs = {cm.monthly_cost(*a, n) < cm.monthly_cost(*b, n)
                     for n in [100 * 10 ** (k / 20) for k in range(141)]}
            self.assertEqual(len(signs), 1, (a, b))

    def test_the_crossovers_the_recommendation_rests_on(self):
        # Titan against a GPU of one's own: near 100 k images a month; Lambda against Fargate
        # with Titan: between 1 k and 10 M.
        gpu = cm.crossing(("Lambda", "titan"), ("EC2", "gpu"))
        self.assertEqual(len(gpu), 1)
        self.assertTrue(50_000 < gpu[0][0] < 200_000, gpu)
        self.assertEqual(gpu[0][1], ("EC2", "gpu"))
        fargate = cm.crossing(("Lambda", "titan"), ("Fargate", "titan"))
        self.assertEqual(len(fargate), 1)
        self.assertTrue(1_000 < fargate[0][0] < 10_000_000, fargate)
        self.assertEqual(fargate[0][1], ("Fargate", "titan"))
        # Lambda cannot host the GPU: on the GPU path it only adds waiting time.
        self.assertEqual(cm.crossing(("Lambda", "gpu"), ("EC2", "gpu")), [])
        self.assertLess(cm.monthly_cost("EC2", "gpu", 1e6), cm.monthly_cost("Lambda", "gpu", 1e6))

    def test_the_crossover_table_agrees_with_the_cost_table(self):
        block = cm.markdown()
        rows = re.findall(r"^\| (.+?) / (.+?) \| ([\d,]+) \| (.+?) \|$", block, re.M)
        self.assertGreater(len(rows), 3)
        for a_name, b_name, volume, cheaper_name in rows:
            a, b = line_by_name(a_name), line_by_name(b_name)
            cheaper = line_by_name(cheaper_name)
            other = b if cheaper == a else a
            volume = float(volume.replace(",", ""))
            # Each table volume above the crossover has the named line cheaper, below it the other.
            for n in cm.VOLUMES:
                if n > volume * 1.02:
                    self.assertLess(cm.monthly_cost(*cheaper, n), cm.monthly_cost(*other, n))
                elif n < volume * 0.98:
                    self.assertGreater(cm.monthly_cost(*cheaper, n), cm.monthly_cost(*other, n))

    def test_every_input_says_where_it_comes_from_and_unchecked_prices_say_so(self):
        prices = [key for key, (_, unit, _) in cm.INPUTS.items() if unit.startswith("USD")]
        self.assertGreaterEqual(len(prices), 12)
        for key, (value, unit, source) in cm.INPUTS.items():
            self.assertTrue(unit and source, key)
            self.assertGreater(value, 0, key)
        for key in prices:
            source = cm.INPUTS[key][2]
            self.assertIn("not re-checked", source, key)
            self.assertRegex(source, r"\b20\d\d\b", key)


class EssayMatchesScript(unittest.TestCase):
    def run_script(self, *args):
        return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                              text=True, check=True).stdout

    def test_the_essay_includes_exactly_the_scripts_table(self):
        printed = self.run_script()
        block = essay_block(ESSAY.read_text())
        self.assertIsNotNone(block, "the essay has no cost-model block")
        self.assertEqual(block, printed,
                         "docs/SERVERLESS-VS-CONTAINERS.md's table differs from "
                         "scripts/cost_model.py's output: run scripts/cost_model.py --write")

    def test_the_readme_links_the_essay(self):
        self.assertIn("(docs/SERVERLESS-VS-CONTAINERS.md)", (ROOT / "README.md").read_text())

    def test_a_changed_number_in_the_essay_would_be_caught(self):
        block = essay_block(ESSAY.read_text())
        changed = re.sub(r"\$8\.\d\d", "$9.99", block, count=1)
        self.assertNotEqual(changed, block)
        self.assertNotEqual(changed, self.run_script())

    def test_the_committed_plots_are_the_scripts_and_are_svg(self):
        with tempfile.TemporaryDirectory() as tmp:
            self.run_script("--svg-dir", tmp)
            written = sorted(os.listdir(tmp))
            self.assertEqual(len(written), 2)
            essay = ESSAY.read_text()
            for file_name in written:
                fresh = Path(tmp, file_name).read_text()
                committed = ROOT / "docs" / "images" / file_name
                self.assertTrue(committed.exists(), file_name)
                self.assertEqual(committed.read_text(), fresh,
                                 "%s is stale: run scripts/cost_model.py --write" % file_name)
                root = ET.fromstring(fresh)
                self.assertEqual(root.tag, "{http://www.w3.org/2000/svg}svg")
                self.assertEqual(len(root.findall("{http://www.w3.org/2000/svg}polyline")),
                                 len(re.findall(r"<polyline", fresh)))
                self.assertIn("images/" + file_name, essay, "the essay does not show " + file_name)


if __name__ == "__main__":
    unittest.main(verbosity=2)
