"""Host memory policy: the training entry points keep freed blocks in the process (no page
faults per training step), unless MINIGRAD_KEEP_FREED_MEMORY=0 says to leave malloc alone;
``import minigrad`` alone changes nothing process-wide."""
import os
import platform
import subprocess
import sys

import pytest

PROBE = "import minigrad.host_memory as h, minigrad; print(h.apply_default_policy())"


def run_probe(**env) -> str:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            env={**os.environ, **env}, check=True)
    return result.stdout.strip()


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the policy only tunes glibc")
def test_glibc_accepts_the_policy():
    assert run_probe() == "True"


def test_opting_out_leaves_malloc_alone():
    assert run_probe(MINIGRAD_KEEP_FREED_MEMORY="0") == "False"


@pytest.mark.skipif(platform.libc_ver()[0] != "glibc", reason="the policy only tunes glibc")
def test_repeated_large_temporaries_do_not_fault():
    """Three big temporaries made and freed 20 times (a training step in miniature) fault their
    pages in once.  Without the policy glibc trims the heap after each round: ~22,000 faults."""
    code = ("import resource, sys, numpy as np\n"
            "import minigrad, minigrad.train\n"
            "if sys.argv[1] == 'policy': minigrad.host_memory.apply_default_policy()\n"
            "if sys.argv[1] == 'fit': minigrad.train.fit(minigrad.nn.Linear(2, 2), np.zeros((4, 2), "
            "np.float32), np.zeros(4, np.int64), loss='sparse_categorical_crossentropy', "
            "verbose=0)\n"
            "def step():\n"
            "    a, b, c = (np.ones(n, np.float32) for n in (2_000_000, 3_000_000, 4_000_000))\n"
            "    return a.sum() + b.sum() + c.sum()\n"
            "step()\n"
            "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
            "for _ in range(20): step()\n"
            "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)")

    def faults(mode: str) -> int:
        return int(subprocess.run([sys.executable, "-c", code, mode], capture_output=True,
                                  text=True, check=True).stdout)
    assert faults("policy") < 500 and faults("fit") < 500
    assert faults("import only") > 5000  # importing changes nothing; the problem is real here
