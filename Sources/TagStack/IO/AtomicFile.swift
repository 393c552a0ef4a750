// Outputs are written to a temporary file beside the target and renamed over it only when complete, so a
// crash, a kill or an error never leaves a half-written model or decision file, and a previous file stays
// intact until the new one is whole.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// A file being written: bytes go to `.<name>.tagstack-tmp-<pid>` in the target's folder; `commit()`
/// renames it over the target, `abort()` (or deinit without commit) removes it.
public final class AtomicFileWriter {
    public let path: String
    public let temporaryPath: String
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
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw DataError(.writeFailed, file: path, "cannot write: \(String(cString: strerror(errno)))")
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
        close(fd)
        done = true
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
        unlink(temporaryPath)
    }

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
