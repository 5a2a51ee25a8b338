"""Start-up cost of plugins: `cirro plugins list` with every repository plugin installed vs with none.

Builds two throwaway venvs (core only; core plus every plugins/*/ distribution), runs the command
in each as a whole process, alternating between them, and prints the medians and their ratio.
Target: at most 1.2x the core-only time, and under one second.

    python bench/plugins_list.py [--rounds 21] [--keep]

Run it with the development environment's python: the venvs reuse its installed dependencies
(pluggy, click, stevedore, setuptools>=70.1 ...) and pip installs offline, without dependencies.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import time
import venv
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TARGET_RATIO = 1.2
TARGET_SECONDS = 1.0


def link_dependencies(target: Path) -> Path:
    """Links to this environment's installed packages, minus cirrostack's own distributions."""
    target.mkdir()
    paths = sysconfig.get_paths()
    for directory in dict.fromkeys((paths["purelib"], paths["platlib"])):
        for entry in Path(directory).iterdir():
            name = entry.name.lower()
            if "cirrostack" not in name and not name.endswith(".pth") and not (target / entry.name).exists():
                (target / entry.name).symlink_to(entry)
    return target


def copy_source(source: Path, into: Path) -> Path:
    """A copy of a source tree without build leftovers or (for the repository root) the other trees."""
    skip_top = {"plugins", "tests", "bench", "docs", ".git", ".venv", "node_modules"}

    def ignore(directory: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n in ("build", "dist", "__pycache__") or n.endswith(".egg-info")}
        return skipped | (skip_top & set(names)) if Path(directory) == source else skipped

    copy = into / source.name
    shutil.copytree(source, copy, ignore=ignore)
    return copy


def make_venv(root: Path, dependencies: Path, sources: list[Path]) -> Path:
    venv.EnvBuilder(with_pip=False, symlinks=True).create(root)
    python = root / "bin" / "python"
    purelib = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    Path(purelib, "_bench_dependencies.pth").write_text(f"{dependencies}\n")
    copies = root.parent / f"{root.name}-sources"
    copies.mkdir()
    subprocess.run([python, "-m", "pip", "install", "-q", "--no-deps", "--no-build-isolation", "--no-index",
                    *(copy_source(s, copies) for s in sources)], check=True)
    return root / "bin" / "cirro"


def time_once(cirro: Path, env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run([cirro, "plugins", "list"], check=True, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=21, help="timed runs per venv (default 21)")
    parser.add_argument("--keep", action="store_true", help="keep the venvs and print where they are")
    args = parser.parse_args()

    plugins = sorted(p.parent for p in (REPO / "plugins").glob("*/pyproject.toml"))
    base = Path(tempfile.mkdtemp(prefix="cirro-bench-"))
    try:
        dependencies = link_dependencies(base / "dependencies")
        env = {k: v for k, v in os.environ.items() if not k.startswith("CIRRO_") and k != "PYTHONPATH"}
        env["XDG_CACHE_HOME"] = str(base / "cache")
        venvs = {
            "core only": make_venv(base / "core-only", dependencies, [REPO]),
            f"core + {len(plugins)} plugins": make_venv(base / "all-plugins", dependencies, [REPO, *plugins]),
        }
        times: dict[str, list[float]] = {label: [] for label in venvs}
        for cirro in venvs.values():
            time_once(cirro, env)  # warm-up: byte-compile and fill the page cache
        for _ in range(args.rounds):
            for label, cirro in venvs.items():
                times[label].append(time_once(cirro, env))
    finally:
        if args.keep:
            print(f"venvs kept in {base}")
        else:
            shutil.rmtree(base, ignore_errors=True)

    (base_label, base_times), (all_label, all_times) = times.items()
    base_median, all_median = statistics.median(base_times), statistics.median(all_times)
    ratio = all_median / base_median
    print(f"cirro plugins list, {args.rounds} interleaved runs each, python {sys.version.split()[0]}")
    for label, samples in times.items():
        print(f"  {label:<20} median {statistics.median(samples) * 1000:7.1f} ms   "
              f"min {min(samples) * 1000:7.1f} ms   max {max(samples) * 1000:7.1f} ms")
    print(f"  ratio {all_label} / {base_label}: {ratio:.2f}x (target <= {TARGET_RATIO}x)")
    met = ratio <= TARGET_RATIO and all_median < TARGET_SECONDS
    print(f"  target {'met' if met else 'MISSED'}: {all_median * 1000:.0f} ms with every plugin "
          f"(target < {TARGET_SECONDS * 1000:.0f} ms)")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
