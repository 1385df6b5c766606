"""The old client's usage of the image, `docker run -e SQS_QUEUE_URL=... IMAGE "A prompt"`, sends
the prompt. No Docker engine runs here: the binary (PICTOR_BIN) is run as the image's final stage
would run it, with the stage's ENV, WORKDIR (a temporary folder) and ENTRYPOINT and the prompt as
the container's arguments, against a SQLite queue given as `-e PICTOR_QUEUE=...` would give it;
the message is then read from the queue's database. A mistyped subcommand stays an error, and so
does a bare prompt outside the image (without its PICTOR_BARE_PROMPT)."""

import os
import sqlite3
import subprocess
import tempfile
import unittest

from test_dockerfile import DOCKERFILE, exec_form, parse_dockerfile, stages

PROMPT = "A magical salmon going to the moon in a rocket"


def image_environment(stage):
    env = {}
    for keyword, args in stage["body"]:
        if keyword != "ENV":
            continue
        if "=" in args.split()[0]:
            for item in args.split():
                key, _, value = item.partition("=")
                env[key] = value.strip('"')
        else:
            key, _, value = args.partition(" ")
            env[key] = value.strip()
    return env


class BarePrompt(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        final = stages(parse_dockerfile(DOCKERFILE.read_text()))[-1]
        cls.image_env = image_environment(final)
        entry = [a for k, a in final["body"] if k == "ENTRYPOINT"]
        cls.entrypoint = exec_form(entry[-1])
        cmd = [a for k, a in final["body"] if k == "CMD"]
        cls.cmd = exec_form(cmd[-1]) if cmd else []
        cls.binary = os.environ.get("PICTOR_BIN", "")

    def setUp(self):
        self.assertTrue(self.binary and os.access(self.binary, os.X_OK), "PICTOR_BIN is not set")
        self.assertRegex(self.entrypoint[0], r"(^|/)pictor$")
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)
        self.queue_db = os.path.join(self.tmp.name, "queue.db")

    def docker_run(self, *args, image=True):
        """`docker run -e PICTOR_QUEUE=sqlite:... IMAGE args...` (or the binary alone)."""
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": self.tmp.name,
               "PICTOR_QUEUE": f"sqlite:{self.queue_db}"}
        for key in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if key in os.environ:
                env[key] = os.environ[key]
        if image:
            env.update(self.image_env)
        argv = [self.binary, *self.entrypoint[1:], *(args if args or not image else self.cmd)]
        return subprocess.run(argv, cwd=self.tmp.name, env=env, capture_output=True, text=True,
                              check=False, timeout=120)

    def queued(self):
        if not os.path.exists(self.queue_db):
            return []
        with sqlite3.connect(self.queue_db) as db:
            return [row[0] for row in db.execute("SELECT body FROM messages ORDER BY seq")]

    def test_image_sets_the_bare_prompt_mode(self):
        self.assertEqual(self.image_env.get("PICTOR_BARE_PROMPT"), "send")

    def test_a_bare_prompt_as_the_container_argument_is_sent(self):
        proc = self.docker_run(PROMPT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertRegex(proc.stdout.strip(), r"^\S+$", "prints the message id")
        self.assertEqual(self.queued(), [PROMPT])

    def test_a_one_word_prompt_unlike_any_subcommand_is_sent(self):
        proc = self.docker_run("salmon")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.queued(), ["salmon"])

    def test_send_and_its_options_still_work_in_the_image(self):
        proc = self.docker_run("send", PROMPT)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.queued(), [PROMPT])

    def test_a_mistyped_subcommand_is_an_error_not_a_prompt(self):
        for typo in ("serv", "wroker", "sned", "lamda"):
            proc = self.docker_run(typo)
            self.assertEqual(proc.returncode, 2, f"{typo}: {proc.stdout}{proc.stderr}")
        self.assertEqual(self.queued(), [])

    def test_flags_and_the_default_command_are_not_prompts(self):
        proc = self.docker_run()  # CMD
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("send", proc.stdout)
        proc = self.docker_run("--version")
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertEqual(self.queued(), [])

    def test_outside_the_image_a_bare_prompt_is_still_an_error(self):
        proc = self.docker_run(PROMPT, image=False)
        self.assertEqual(proc.returncode, 2, proc.stdout + proc.stderr)
        self.assertEqual(self.queued(), [])


if __name__ == "__main__":
    unittest.main(verbosity=2)
