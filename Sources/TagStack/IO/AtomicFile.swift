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
//
// Where the bytes go (`OutputTarget.resolve`):
// - A symbolic link is followed (every level, up to 40, like the kernel) and its final target replaced; the link
//   stays a link. A loop is an error that says so.
// - A character device, FIFO or socket (`/dev/null`, `/dev/stdout`, a pipe) is written directly, never
//   replaced: the bytes are kept in memory and written at `commit()`, so they still only appear once every
//   output of the command is complete. A folder or a block device is refused.
// - Several outputs of one command: `commitAll` first makes every temporary complete and named (the fallible
//   part: writes, fsync, link), then renames them; a failure before the renames replaces nothing.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file being written: bytes go to an unnamed temporary file (or `.<name>.tagstack-tmp-<pid>`) in the
/// target's folder; `commit()` renames it over the target, `abort()` (or deinit without commit) removes it.
public final class AtomicFileWriter {
    /// The path the user named.
    public let path: String
    /// The regular file that is replaced (the path with every symbolic link followed), or the device / FIFO
    /// written directly.
    public let target: String
    /// Where the temporary file is named: from the start on the fallback path, during `commit()` otherwise.
    public let temporaryPath: String
    /// Whether the bytes go to an unnamed `O_TMPFILE` file (nothing to clean up if the process dies).
    public let isUnnamed: Bool
    /// Whether the target is a device, FIFO or socket written directly (bytes held until `commit()`).
    public let isDirect: Bool
    private var fd: Int32
    private var pending: [UInt8] = []
    private var done = false
    /// `prepare()` ran: the temporary is complete and named; only the rename is left.
    private var prepared = false
    private static let flushSize = 1 << 20

    /// Creates the temporary file. Throws `DataError.writeFailed` naming the path when the folder is missing
    /// or not writable, the path is a folder or a symbolic link loop.
    public init(path: String) throws {
        self.path = path
        let resolved = try OutputTarget.resolve(path)
        target = resolved.path
        if resolved.isDirect {
            isDirect = true; isUnnamed = false; temporaryPath = ""
            // `-`: standard output itself (whatever it is: a pipe, a terminal, a file opened by the shell).
            fd = path == OutputTarget.standardOutput ? dup(1) : open(target, O_WRONLY | O_NOCTTY)
            guard fd >= 0 else { throw DataError(.writeFailed, file: path, "cannot write: \(String(cString: strerror(errno)))") }
            return
        }
        isDirect = false
        let url = URL(fileURLWithPath: target)
        let dir = url.deletingLastPathComponent().path
        AtomicFileWriter.removeStaleTemporaries(for: url)
        temporaryPath = dir + "/." + url.lastPathComponent + ".tagstack-tmp-\(getpid())"
        if let unnamed = AtomicFileWriter.openUnnamed(inFolder: dir) {
            fd = unnamed; isUnnamed = true
        } else {
            isUnnamed = false
            SignalCleanup.register(temporaryPath)
            fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
            guard fd >= 0 else {
                let why = OutputTarget.describe(errno: errno, folder: dir)
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
        if pending.count >= AtomicFileWriter.flushSize && !isDirect { try flush() }
    }

    /// Appends bytes.
    public func write<S: Sequence>(bytes: S) throws where S.Element == UInt8 {
        pending.append(contentsOf: bytes)
        if pending.count >= AtomicFileWriter.flushSize && !isDirect { try flush() }
    }

    private func flush() throws {
        // A write past `ulimit -f` raises SIGXFSZ, which would end the process before any cleanup: ignore it
        // so the write fails with EFBIG instead and the error path runs.
        signal(SIGXFSZ, SIG_IGN)
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

    /// The fallible part of `commit()`: flushes, syncs and names the temporary file (the target untouched).
    /// For a direct target nothing happens until `finish()`.
    func prepare() throws {
        guard !done, !prepared else { return }
        if isDirect { prepared = true; return }
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
        prepared = true
    }

    /// Renames the prepared temporary over the target (or writes a direct target's bytes).
    func finish() throws {
        guard !done else { return }
        try prepare()
        done = true
        if isDirect {
            defer { close(fd) }
            var off = 0
            while off < pending.count {
                let n = pending.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, $0.count - off) }
                if n < 0 {
                    if errno == EINTR { continue }
                    throw DataError(.writeFailed, file: path, "write failed: \(String(cString: strerror(errno)))")
                }
                off += n
            }
            return
        }
        defer { SignalCleanup.unregister(temporaryPath) }
        if rename(temporaryPath, target) != 0 {
            let why = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw DataError(.writeFailed, file: path, "cannot replace: \(why)")
        }
    }

    /// Flushes, closes and renames the temporary file over the target.
    public func commit() throws {
        try prepare()
        try finish()
    }

    /// Closes and removes the temporary file; the target is untouched.
    public func abort() {
        guard !done else { return }
        done = true
        if !prepared || isDirect { close(fd) }
        if !isUnnamed || prepared {
            if !isDirect { unlink(temporaryPath) }
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
        let resolved = try OutputTarget.resolve(path)
        if resolved.isDirect {
            if access(resolved.path, W_OK) != 0 {
                throw DataError(.writeFailed, file: path, "cannot write: \(String(cString: strerror(errno)))")
            }
            return
        }
        let dir = URL(fileURLWithPath: resolved.path).deletingLastPathComponent().path
        if access(dir, W_OK) != 0 {
            throw DataError(.writeFailed, file: path, "cannot write: \(OutputTarget.describe(errno: errno, folder: dir))")
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
    // Complete and name every temporary first (the fallible part), then rename them all.
    for w in writers {
        do { try w.prepare() } catch {
            for other in writers { other.abort() }
            throw error
        }
    }
    for (k, w) in writers.enumerated() {
        do { try w.finish() } catch {
            for later in writers[(k + 1)...] { later.abort() }
            throw error
        }
    }
}

// MARK: - Where an output goes

/// Resolves an output path to what is written, and checks that one command's files are distinct.
public enum OutputTarget {
    /// `path` with every symbolic link followed (the final component too, even when its target does not exist
    /// yet), whether it is written directly (a character device, FIFO or socket), and its identity.
    public struct Resolved: Equatable {
        public var path: String
        public var isDirect: Bool
        /// (device, inode) of an existing file; nil when it does not exist yet.
        public var identity: Identity?
        /// A character device (`/dev/null`, a terminal): written directly, never read as an input's bytes.
        public var isCharacterDevice = false
    }

    public struct Identity: Hashable { public var device: UInt64; public var inode: UInt64 }

    /// Follows symbolic links (at most 40 levels, as Linux does) and checks what the path names.
    /// - Throws: `DataError.writeFailed` for a missing folder, a folder, a block device or a link loop.
    /// The path that means standard output.
    public static let standardOutput = "-"

    public static func resolve(_ path: String) throws -> Resolved {
        if path == standardOutput {
            var st = stat()
            let id = fstat(1, &st) == 0 ? Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino)) : nil
            return Resolved(path: "/dev/stdout", isDirect: true, identity: id, isCharacterDevice: (st.st_mode & S_IFMT) == S_IFCHR)
        }
        // What the path finally names, links (including /proc's, like /dev/stdout → /proc/self/fd/1 → a pipe)
        // followed by the kernel: a device, FIFO or socket is written directly through the path itself.
        var first = stat()
        if stat(path, &first) == 0 {
            if first.st_mode & S_IFMT != S_IFREG { return try existing(first, at: path, path: path) }
        } else if errno == ELOOP {
            throw DataError(.writeFailed, file: path, "cannot write: a loop of symbolic links")
        }
        var current = URL(fileURLWithPath: path).standardizedFileURL.path
        for _ in 0..<40 {
            let dir = URL(fileURLWithPath: current).deletingLastPathComponent().path
            var st = stat()
            if lstat(current, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK {
                var buf = [CChar](repeating: 0, count: 4097)
                let n = readlink(current, &buf, 4096)
                guard n > 0 else { throw DataError(.writeFailed, file: path, "cannot read the symbolic link: \(String(cString: strerror(errno)))") }
                let dest = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
                current = URL(fileURLWithPath: dest.hasPrefix("/") ? dest : dir + "/" + dest).standardizedFileURL.path
                continue
            }
            // Not a link (or missing): resolve the folder's own links so the temporary sits beside the target.
            guard let real = realpath(dir, nil) else {
                if errno == ELOOP { throw DataError(.writeFailed, file: path, "cannot write: a loop of symbolic links") }
                throw DataError(.writeFailed, file: path, "cannot write: folder '\(dir)' does not exist")
            }
            let realDir = String(cString: real); free(real)
            var isDir = stat()
            guard stat(realDir, &isDir) == 0, (isDir.st_mode & S_IFMT) == S_IFDIR else {
                throw DataError(.writeFailed, file: path, "cannot write: '\(dir)' is not a folder")
            }
            let name = URL(fileURLWithPath: current).lastPathComponent
            let full = (realDir == "/" ? "" : realDir) + "/" + name
            var s = stat()
            guard stat(full, &s) == 0 else {
                if errno == ELOOP { throw DataError(.writeFailed, file: path, "cannot write: a loop of symbolic links") }
                return Resolved(path: full, isDirect: false, identity: nil)
            }
            return try existing(s, at: full, path: path)
        }
        throw DataError(.writeFailed, file: path, "cannot write: a loop of symbolic links (more than 40 levels)")
    }

    /// An existing `target` (its `stat`) as an output: a regular file is replaced through a temporary, a
    /// device, FIFO or socket written directly; a folder or anything else is refused, naming `path`.
    static func existing(_ st: stat, at target: String, path: String) throws -> Resolved {
        let id = Identity(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        switch st.st_mode & S_IFMT {
        case S_IFREG: return Resolved(path: target, isDirect: false, identity: id)
        case S_IFDIR: throw DataError(.writeFailed, file: path, "cannot write: is a folder")
        case S_IFCHR, S_IFIFO, S_IFSOCK:
            return Resolved(path: target, isDirect: true, identity: id, isCharacterDevice: (st.st_mode & S_IFMT) == S_IFCHR)
        default: throw DataError(.writeFailed, file: path, "cannot write: not a regular file, character device or FIFO")
        }
    }

    /// Refuses, before any work, an output named twice or an output that is one of the inputs (compared by
    /// resolved path and by device and inode, so hard links, symbolic links and `./x` spellings are caught).
    /// A FIFO or socket output is refused over an input too (the command would write into what it reads);
    /// character devices (`/dev/null` twice, a terminal) are exempt: nothing is replaced there.
    /// - Parameters: `outputs` and `inputs` as (option, path) pairs, for messages; `-` is standard output
    ///   among the outputs, standard input among the inputs.
    public static func checkDistinct(outputs: [(String, String)], inputs: [(String, String)]) throws {
        var seen: [(String, String, Resolved)] = []
        for (option, path) in outputs {
            let r = try resolve(path)
            if !r.isCharacterDevice {
                for (o, p, s) in seen where !s.isCharacterDevice && (s.path == r.path || (s.identity != nil && s.identity == r.identity)) {
                    throw DataError(.badArgument, file: path, "\(option) and \(o) name the same file ('\(p)'): give each output its own file")
                }
            }
            seen.append((option, path, r))
        }
        for (option, path) in inputs {
            guard let inode = identity(of: path) else { continue }
            let real = path == InputFiles.standardInput ? nil : realpath(path, nil).map { p -> String in defer { free(p) }; return String(cString: p) }
            for (o, _, s) in seen where !s.isCharacterDevice && (s.identity == inode || (real != nil && s.path == real)) {
                throw DataError(.badArgument, file: path, "\(o) would overwrite the \(option) file '\(path)': write the output elsewhere")
            }
        }
    }

    /// (device, inode) of an existing file, following links.
    static func identity(of path: String) -> Identity? {
        var s = stat()
        guard (path == InputFiles.standardInput ? fstat(0, &s) : stat(path, &s)) == 0 else { return nil }
        return Identity(device: UInt64(s.st_dev), inode: UInt64(s.st_ino))
    }

    /// An `errno` from creating a file in `folder`, said plainly (a read-only filesystem is named as such).
    static func describe(errno e: Int32, folder: String) -> String {
        switch e {
        case EROFS: return "'\(folder)' is on a read-only filesystem"
        case EACCES, EPERM: return "no permission to create files in '\(folder)'"
        case ENOSPC, EDQUOT: return "no space left on the device of '\(folder)'"
        default: return String(cString: strerror(e))
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
