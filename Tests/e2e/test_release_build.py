"""The binary as the image ships it (scripts/build-release.sh, which the Dockerfile runs): the
Swift runtime linked in, packed relative relocations, none of its own symbols exported, and the
whole demo works with it. Builds it first (minutes on a fresh clone, seconds after)."""
import subprocess

from sandbox_support import ROOT
from test_demo import assert_demo_story


def release_binary():
    built = subprocess.run(["bash", str(ROOT / "scripts" / "build-release.sh")], capture_output=True, text=True)
    assert built.returncode == 0, "scripts/build-release.sh failed:\n" + built.stderr[-4000:]
    return built.stdout.strip().splitlines()[-1]


def test_the_shipped_binary_is_lean_and_runs_the_demo(tmp_path):
    binary = release_binary()
    dynamic = subprocess.run(["readelf", "--dynamic", "--wide", binary], capture_output=True, text=True, check=True).stdout
    assert "(RELR)" in dynamic, "no packed relocations (DT_RELR): was the binary linked by lld?\n" + dynamic
    assert "libswiftCore" not in dynamic and "libFoundation" not in dynamic, dynamic
    symbols = subprocess.run(["readelf", "--dyn-syms", "--wide", binary], capture_output=True, text=True, check=True).stdout
    exported = [line for line in symbols.splitlines() if " GLOBAL " in line and " UND " not in line]
    # Only what the C runtime start files define (_start's neighbours, _IO_stdin_used and such).
    assert len(exported) < 20, f"{len(exported)} symbols exported, such as {exported[:5]}"
    assert_demo_story(binary, tmp_path)
