"""The CPU's instruction sets: which llama.cpp build fits this machine, and whether its weights may be repacked.

llama.cpp is compiled for the CPU it is built on (``-march=native``), so a build is keyed by the instruction sets
it may use, and a build made for instructions this CPU lacks is refused rather than loaded. Pure functions of the
flags, so that every kind of CPU can be tested here; stdlib only, since scripts/setup.sh runs this file before
anything is installed (``python assistant/generation/cpu.py build-key``)."""

from __future__ import annotations

import hashlib
import platform
import re
import sys
from functools import cache
from pathlib import Path
from typing import Literal

Repack = Literal["auto", "on", "off"]

# Flags naming instructions a compiler may emit (x86 "flags", Arm "Features"); the rest (hypervisor, constant_tsc,
# ...) differ between machines that run the same code, and would only force needless rebuilds.
INSTRUCTION_SET = re.compile(
    r"(sse\w*|ssse3|pni|avx\w*|fma\w*|f16c|bmi\d|amx\w*|popcnt|lzcnt|abm|movbe|aes|vaes|v?pclmulqdq|gfni|sha_ni|adx"
    r"|asimd\w*|sve\w*|i8mm|sme(?!p)\w*|fphp|bf16|dotprod|vsx\w*|altivec|rvv|zvfh)"
)


def cpu_flags(cpuinfo: str) -> frozenset[str]:
    """The instruction-set flags of the first processor in a /proc/cpuinfo text."""
    for line in cpuinfo.splitlines():
        key, _, value = line.partition(":")
        if key.strip() in ("flags", "Features"):
            return frozenset(f for f in value.split() if INSTRUCTION_SET.fullmatch(f))
    return frozenset()


@cache  # the CPU does not change under a running process
def read_cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str]:
    try:
        return cpu_flags(cpuinfo.read_text(errors="replace"))
    except OSError:  # no /proc (macOS): nothing known, so nothing is refused
        return frozenset()


def build_key(flags: frozenset[str], machine: str | None = None) -> str:
    """Names a llama.cpp build by the instruction sets it was compiled for: two CPUs with the same key can share it."""
    digest = hashlib.sha256(" ".join(sorted(flags)).encode()).hexdigest()[:12]
    return f"{machine or platform.machine()}-{digest}"


def has_amx(flags: frozenset[str]) -> bool:
    return any(f.startswith("amx") for f in flags)


def repack_weights(flags: frozenset[str], setting: Repack = "auto") -> bool:
    """Whether llama.cpp may repack the model's weights into the layouts of this CPU's fastest kernels. Not where
    the CPU has AMX: llama.cpp's AMX matrix path on Q4_K weights crashes on some of those machines
    (ggml-org/llama.cpp#20824), and repacking is what selects it."""
    if setting != "auto":
        return setting == "on"
    return not has_amx(flags)


def missing_instructions(built_for: frozenset[str], flags: frozenset[str]) -> list[str]:
    """The instruction sets a build may use that this CPU lacks: running it would end in an illegal instruction."""
    return sorted(built_for - flags)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "build-key":
        print(build_key(read_cpu_flags()))
    elif command == "flags":
        print(" ".join(sorted(read_cpu_flags())))
    else:
        sys.exit("usage: cpu.py build-key|flags")
