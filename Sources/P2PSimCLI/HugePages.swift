#if os(Linux)
import Glibc
#endif

/// Backs the process's heap with transparent huge pages (2 MiB) where the kernel offers them on request.
///
/// Why: a large swarm touches hundreds of MiB of state at random, a block's path through a dozen scattered
/// records. With 4 KiB pages nearly each of those reads also misses the TLB, and in a virtual machine a
/// page walk is itself several memory reads. Huge pages cut the 10,000-peer flash crowd's wall time by
/// about an eighth on the development machine (docs/performance.md). Results do not depend on it.
///
/// How: Linux kernels set to `madvise` give huge pages only to memory flagged with `madvise`, and glibc's
/// `malloc` flags its memory only when the tunable `glibc.malloc.hugetlb=1` was set at start-up. So the
/// executable re-executes itself once with that tunable added to `GLIBC_TUNABLES`. Nothing happens when
/// the tunable is already set, the kernel gives huge pages to everything or to nothing, the process runs
/// under valgrind, or `P2PSIM_HUGE_PAGES=0` is set; if the re-execution fails the process carries on.
public enum HugePages {
    static let tunable = "glibc.malloc.hugetlb=1"

    public static func reexecuteWithHugePagesIfUseful() {
        #if os(Linux)
        if let flag = getenv("P2PSIM_HUGE_PAGES"), String(cString: flag) == "0" { return }
        // Under valgrind the process is the tool: re-executing /proc/self/exe would run the tool bare.
        if let preload = getenv("LD_PRELOAD"), String(cString: preload).contains("vgpreload") { return }
        let current = getenv("GLIBC_TUNABLES").map { String(cString: $0) }
        if let current, current.contains("glibc.malloc.hugetlb") { return }
        guard kernelGivesHugePagesOnRequest() else { return }
        let value = current.map { $0.isEmpty ? tunable : $0 + ":" + tunable } ?? tunable
        guard setenv("GLIBC_TUNABLES", value, 1) == 0 else { return }
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        // Only reached if execv failed: carry on without huge pages, and do not pass the tunable on.
        if let current { setenv("GLIBC_TUNABLES", current, 1) } else { unsetenv("GLIBC_TUNABLES") }
        #endif
    }

    /// True when the kernel's transparent huge page mode is `madvise` (the bracketed choice).
    static func kernelGivesHugePagesOnRequest() -> Bool {
        #if os(Linux)
        guard let file = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r") else { return false }
        defer { fclose(file) }
        var line = [CChar](repeating: 0, count: 128)
        guard fgets(&line, Int32(line.count), file) != nil else { return false }
        let text = line.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        return String(decoding: text, as: UTF8.self).contains("[madvise]")
        #else
        return false
        #endif
    }
}
