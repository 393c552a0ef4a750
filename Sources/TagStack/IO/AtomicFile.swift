// Outputs are written to a temporary file beside the target and renamed over it only when complete, so a
// crash, a kill or an error never leaves a half-written model or decision file, and a previous file stays
// intact until the new one is whole.
//
// What is left behind when the process dies:
// - On Linux the bytes go to an unnamed file (`O_TMPFILE`) in the target's folder: until `commit()` it has
//   no name, so even SIGKILL leaves nothing. `commit()` links it as `.<name>.tagstack-tmp-<pid>` and renames
//   that over the target (a window of two system calls, where the named file is already complete).
// - Where `O_TMPFILE` is refused (macOS, some network filesystems) the named temporary exists from the start.
// - SIGINT, SIGTERM and SIGHUP: with `installSignalCleanup()` (the CLI calls it), a handler unlinks every
//   named temporary still registered, then lets the signal end the process as it would have.
// - A temporary of a process that no longer exists (SIGKILL in the window above, or on the fallback path) is
//   removed by the next write to the same target.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file being written: bytes go to an unnamed temporary file (or `.<name>.tagstack-tmp-<pid>`) in the
/// target's folder; `commit()` renames it over the target, `abort()` (or deinit without commit) removes it.
public final class AtomicFileWriter {
    public let path: String
    /// Where the temporary file is named: from the start on the fallback path, during `commit()` otherwise.
    public let temporaryPath: String
    /// Whether the bytes go to an unnamed `O_TMPFILE` file (nothing to clean up if the process dies).
    public let isUnnamed: Bool
    private var fd: Int32
    private var pending: [UInt8] = []
    private var done = false
    private static let flushSize = 1 << 20

    /// Creates the temporary file. Throws `DataError.writeFailed` naming the path when the folder is missing
    /// or not writable.
    public init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw DataError(.writeFailed, file: path, "cannot write: folder '\(dir)' does not exist")
        }
        AtomicFileWriter.removeStaleTemporaries(for: url)
        temporaryPath = dir + "/." + url.lastPathComponent + ".tagstack-tmp-\(getpid())"
        if let unnamed = AtomicFileWriter.openUnnamed(inFolder: dir) {
            fd = unnamed; isUnnamed = true
        } else {
            isUnnamed = false
            SignalCleanup.register(temporaryPath)
            fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                let why = String(cString: strerror(errno))
                SignalCleanup.unregister(temporaryPath)
                throw DataError(.writeFailed, file: path, "cannot write: \(why)")
            }
        }
        pending.reserveCapacity(AtomicFileWriter.flushSize + 4096)
    }

    deinit { if !done { abort() } }

    /// Appends text.
    public func write(_ text: String) throws {
        pending.append(contentsOf: text.utf8)
        if pending.count >= AtomicFileWriter.flushSize { try flush() }
    }

    /// Appends bytes.
    public func write<S: Sequence>(bytes: S) throws where S.Element == UInt8 {
        pending.append(contentsOf: bytes)
        if pending.count >= AtomicFileWriter.flushSize { try flush() }
    }

    private func flush() throws {
        var off = 0
        while off < pending.count {
            let n = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
            if n < 0 {
                if errno == EINTR { continue }
                let why = String(cString: strerror(errno))
                abort()
                throw DataError(.writeFailed, file: path, "write failed: \(why)")
            }
            off += n
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the temporary file over the target.
    public func commit() throws {
        guard !done else { return }
        try flush()
        if fsync(fd) != 0 && errno != EINVAL { /* some filesystems refuse fsync; the rename still orders */ }
        if isUnnamed {
            // Give the unnamed file its temporary name (linkat cannot replace the target), then rename.
            unlink(temporaryPath)
            SignalCleanup.register(temporaryPath)
            if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", AT_FDCWD, temporaryPath, AT_SYMLINK_FOLLOW) != 0 {
                let why = String(cString: strerror(errno))
                SignalCleanup.unregister(temporaryPath)
                done = true
                close(fd)
                throw DataError(.writeFailed, file: path, "cannot write: \(why)")
            }
        }
        close(fd)
        done = true
        defer { SignalCleanup.unregister(temporaryPath) }
        if rename(temporaryPath, path) != 0 {
            let why = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw DataError(.writeFailed, file: path, "cannot replace: \(why)")
        }
    }

    /// Closes and removes the temporary file; the target is untouched.
    public func abort() {
        guard !done else { return }
        done = true
        close(fd)
        if !isUnnamed {
            unlink(temporaryPath)
            SignalCleanup.unregister(temporaryPath)
        }
    }

    /// An unnamed file in `dir` open for writing (Linux `O_TMPFILE`), or nil where that is not supported.
    static func openUnnamed(inFolder dir: String) -> Int32? {
        #if os(Linux)
        if ProcessInfo.processInfo.environment["TAGSTACK_NO_TMPFILE"] != nil { return nil }   // tests of the fallback
        let oTmpfile: Int32 = 0o20000000 | O_DIRECTORY   // __O_TMPFILE | O_DIRECTORY, as <fcntl.h> defines it
        let fd = open(dir, O_WRONLY | oTmpfile, 0o644)
        if fd >= 0 {
            // The mode is applied as umask allows; fchmod makes it match a named file's.
            let mask = umask(0); umask(mask)
            fchmod(fd, 0o644 & ~mask)
            return fd
        }
        #endif
        return nil
    }

    /// Throws the error `init(path:)` would (missing or unwritable folder) without creating anything: lets a
    /// long run fail fast and still create its output only at the end.
    public static func checkWritable(_ path: String) throws {
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), isDir.boolValue else {
            throw DataError(.writeFailed, file: path, "cannot write: folder '\(dir)' does not exist")
        }
        if access(dir, W_OK) != 0 {
            throw DataError(.writeFailed, file: path, "cannot write: \(String(cString: strerror(errno)))")
        }
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR {
            throw DataError(.writeFailed, file: path, "cannot write: is a folder")
        }
    }

    /// Installs handlers for SIGINT, SIGTERM and SIGHUP that remove named temporaries, then end the process
    /// with the same signal. Call once, early, from a command-line tool.
    public static func installSignalCleanup() { SignalCleanup.install() }

    /// Removes temporaries left for `url` by processes that no longer exist (a run killed with SIGKILL).
    static func removeStaleTemporaries(for url: URL) {
        let dir = url.deletingLastPathComponent().path
        let prefix = "." + url.lastPathComponent + ".tagstack-tmp-"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: dir) else { return }
        for name in names where name.hasPrefix(prefix) {
            guard let pid = Int32(name.dropFirst(prefix.count)) else { continue }
            if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH { unlink(dir + "/" + name) }
        }
    }

    /// Writes a whole file atomically.
    public static func write(_ text: String, to path: String) throws {
        let w = try AtomicFileWriter(path: path)
        try w.write(text)
        try w.commit()
    }

    /// Writes a whole file atomically.
    public static func write(bytes: [UInt8], to path: String) throws {
        let w = try AtomicFileWriter(path: path)
        try w.write(bytes: bytes)
        try w.commit()
    }
}

/// Commits several files only when all of them were produced: if any write fails, none is replaced.
public func commitAll(_ writers: [AtomicFileWriter]) throws {
    // Flush everything first (the fallible part), then rename in order.
    for (k, w) in writers.enumerated() {
        do { try w.commit() } catch {
            for later in writers[(k + 1)...] { later.abort() }
            throw error
        }
    }
}

// MARK: - Signal cleanup

/// Named temporaries to unlink if the process is ended by a signal. The handler may only make
/// async-signal-safe calls, so paths live in fixed slots of one buffer allocated up front (never freed,
/// never reallocated); a slot is live while its first byte is non-zero.
enum SignalCleanup {
    static let slotCount = 32
    static let slotSize = 4096
    nonisolated(unsafe) static let slots: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: slotCount * slotSize)
        p.initialize(repeating: 0, count: slotCount * slotSize)
        return p
    }()
    static let lock = NSLock()

    static func register(_ path: String) {
        let bytes = Array(path.utf8CString)
        guard bytes.count <= slotSize else { return }
        _ = slots   // allocate before any signal can need it
        lock.lock(); defer { lock.unlock() }
        for k in 0..<slotCount where slots[k * slotSize] == 0 {
            let slot = slots + k * slotSize
            // Write the tail first, the first byte last: the handler never sees a half-written path.
            for i in 1..<bytes.count { slot[i] = bytes[i] }
            slot[0] = bytes[0]
            return
        }
    }

    static func unregister(_ path: String) {
        let bytes = Array(path.utf8CString)
        lock.lock(); defer { lock.unlock() }
        for k in 0..<slotCount where slots[k * slotSize] != 0 && strcmp(slots + k * slotSize, bytes) == 0 {
            slots[k * slotSize] = 0
        }
    }

    static func install() {
        _ = slots
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig) { sig in
                for k in 0..<SignalCleanup.slotCount where SignalCleanup.slots[k * SignalCleanup.slotSize] != 0 {
                    unlink(SignalCleanup.slots + k * SignalCleanup.slotSize)
                }
                signal(sig, SIG_DFL)
                raise(sig)
            }
        }
    }
}
