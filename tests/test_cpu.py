"""Which llama.cpp build and which weight layout fit a CPU: pure functions of its flags, injected here for CPUs this
machine is not (an Intel Xeon with AMX, an older AVX2-only CPU, an Arm server)."""

from pathlib import Path

from assistant.generation.cpu import build_key, cpu_flags, has_amx, missing_instructions, read_cpu_flags, repack_weights
from assistant.generation.supervisor import build_problem, built_for, how_it_ended

SAPPHIRE_RAPIDS = """processor\t: 0
vendor_id\t: GenuineIntel
model name\t: Intel(R) Xeon(R) Platinum 8481C CPU @ 2.70GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ss ht \
syscall nx pdpe1gb rdtscp lm constant_tsc rep_good nopl xtopology nonstop_tsc cpuid tsc_known_freq pni pclmulqdq ssse3 \
fma cx16 pcid sse4_1 sse4_2 x2apic movbe popcnt aes xsave avx f16c rdrand hypervisor lahf_lm abm 3dnowprefetch \
fsgsbase bmi1 hle avx2 smep bmi2 erms invpcid rtm avx512f avx512dq rdseed adx smap avx512ifma clflushopt clwb \
avx512cd sha_ni avx512bw avx512vl xsaveopt xsavec xgetbv1 xsaves avx_vnni avx512_bf16 arat avx512vbmi umip pku ospke \
waitpkg avx512_vbmi2 gfni vaes vpclmulqdq avx512_vnni avx512_bitalg avx512_vpopcntdq rdpid cldemote movdiri \
movdir64b fsrm md_clear serialize tsxldtrk amx_bf16 avx512_fp16 amx_tile amx_int8 arch_capabilities

processor\t: 1
flags\t\t: fpu sse sse2
"""
HASWELL = """processor\t: 0
model name\t: Intel(R) Xeon(R) CPU E5-2676 v3 @ 2.40GHz
flags\t\t: fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca cmov pat pse36 clflush mmx fxsr sse sse2 ht \
syscall nx rdtscp lm constant_tsc rep_good nopl xtopology cpuid pni pclmulqdq ssse3 fma cx16 pcid sse4_1 sse4_2 \
x2apic movbe popcnt tsc_deadline_timer aes xsave avx f16c rdrand hypervisor lahf_lm abm cpuid_fault invpcid_single \
pti fsgsbase bmi1 avx2 smep bmi2 erms invpcid xsaveopt
"""
GRAVITON = """processor\t: 0
BogoMIPS\t: 2100.00
Features\t: fp asimd evtstrm aes pmull sha1 sha2 crc32 atomics fphp asimdhp cpuid asimdrdm jscvt fcma lrcpc dcpop \
sha3 sm3 sm4 asimddp sha512 sve asimdfhm dit uscat ilrcpc flagm ssbs paca pacg dcpodp svei8mm svebf16 i8mm bf16 dgh rng
"""


def test_flags_are_the_instruction_sets_of_the_first_processor():
    flags = cpu_flags(SAPPHIRE_RAPIDS)
    assert {"avx512f", "avx512_vnni", "amx_int8", "amx_tile", "avx2", "fma"} <= flags
    # Not instructions (they differ between machines running the same code), nor the second processor's line.
    assert not {"hypervisor", "constant_tsc", "smep", "fpu"} & flags
    assert {"asimd", "sve", "i8mm", "bf16"} <= cpu_flags(GRAVITON)
    assert cpu_flags("") == frozenset()


def test_repacking_is_off_where_the_cpu_has_amx_and_on_elsewhere_unless_a_setting_says_otherwise():
    amx, avx2, arm = cpu_flags(SAPPHIRE_RAPIDS), cpu_flags(HASWELL), cpu_flags(GRAVITON)
    assert has_amx(amx) and not has_amx(avx2)
    assert repack_weights(amx) is False and repack_weights(amx, "auto") is False
    assert repack_weights(avx2) is True and repack_weights(arm) is True
    assert repack_weights(amx, "on") is True and repack_weights(avx2, "off") is False


def test_this_machines_flags_are_read_and_a_missing_cpuinfo_refuses_nothing(tmp_path: Path):
    assert read_cpu_flags(tmp_path / "no-such-file") == frozenset()
    (tmp_path / "cpuinfo").write_text(HASWELL)
    assert read_cpu_flags(tmp_path / "cpuinfo") == cpu_flags(HASWELL)


def test_a_build_is_keyed_by_the_instructions_it_may_use():
    avx2 = cpu_flags(HASWELL)
    same_isa_other_vm = cpu_flags(HASWELL.replace("hypervisor ", "").replace("pti ", ""))
    assert build_key(avx2, "x86_64") == build_key(same_isa_other_vm, "x86_64")
    assert build_key(avx2, "x86_64") != build_key(cpu_flags(SAPPHIRE_RAPIDS), "x86_64")
    assert build_key(avx2, "x86_64").startswith("x86_64-") and build_key(avx2, "aarch64").startswith("aarch64-")


def test_a_build_for_instructions_this_cpu_lacks_is_refused_in_one_line_saying_how_to_fix_it(tmp_path: Path):
    built_on_xeon, haswell = cpu_flags(SAPPHIRE_RAPIDS), cpu_flags(HASWELL)
    lacking = missing_instructions(built_on_xeon, haswell)
    assert "avx512f" in lacking and "amx_int8" in lacking and "avx2" not in lacking
    problem = build_problem(built_on_xeon, haswell)
    assert problem and "avx512f" in problem and "./scripts/setup.sh" in problem and "\n" not in problem
    assert build_problem(haswell, built_on_xeon) is None  # an older CPU's build runs on a newer one
    assert build_problem(None, haswell) is None  # a llama.cpp that setup did not install is not second-guessed
    record = tmp_path / "newsdesk-llama-cpu.txt"
    record.write_text(" ".join(sorted(built_on_xeon)) + "\n")
    assert built_for(record) == built_on_xeon and built_for(tmp_path / "none") is None


def test_how_a_process_ended_is_said_plainly():
    assert how_it_ended(-11) == "signal 11, SIGSEGV"
    assert how_it_ended(-9) == "signal 9, SIGKILL"
    assert how_it_ended(1) == "exit code 1"
