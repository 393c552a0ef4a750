// Every input a command reads goes through here, so that each is opened once.
//
// - A regular file is opened as usual (and may be opened again: a header read, then the rows).
// - Anything else — a FIFO, a process substitution (`<(cat …)`), `/dev/stdin`, `-` (standard input), a
//   character device — can be read only once: the first open reads it to its end into an unnamed temporary
//   file (Linux `O_TMPFILE` in the temporary folder, else a file unlinked at once), and every open after that
//   (by the same path or by another path naming the same pipe) reads that copy from its start.
// - A streamed input (`predict --input`, which may be larger than memory or disk) is opened directly, once:
//   `stream(_:)` hands out its descriptor and a second open of it is an error, never a silent empty read.
// - A folder, a missing file or a loop of links is said as such, naming the path the user gave.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

public enum InputFiles {
    /// The path that means standard input.
    public static let standardInput = "-"

    private static let lock = NSLock()
    /// Spooled copies of non-regular inputs, by identity of what was opened: an open descriptor each.
    nonisolated(unsafe) private static var spooled: [Key: Int32] = [:]
    /// Identities already handed out as streams.
    nonisolated(unsafe) private static var streamed: Set<Key> = []

    /// The most bytes read from a character device (not a pipe) before it is refused.
    static let deviceLimit = 256 << 20

    private struct Key: Hashable { var device: UInt64; var inode: UInt64 }

    /// What a path names, for messages: nil for a regular file (or something a plain open handles).
    /// Throws for a missing path, a folder or a loop of links.
    /// A character device is read only as a stream or when it is standard input (a terminal): `/dev/zero` as
    /// a whole file would never end.
    @discardableResult
    static func check(_ path: String, what: String, streamed: Bool = false) throws -> stat {
        var st = stat()
        if path == standardInput {
            guard fstat(0, &st) == 0 else { throw DataError(.unreadable, file: path, "cannot read standard input: \(String(cString: strerror(errno)))") }
            return st
        }
        if stat(path, &st) != 0 {
            let e = errno
            switch e {
            case ELOOP: throw DataError(.unreadable, file: path, "cannot read: a loop of symbolic links")
            case EACCES: throw DataError(.unreadable, file: path, "cannot read: no permission to reach it")
            case ENOTDIR: throw DataError(.missingFile, file: path, "\(what) not found (a component of the path is not a folder)")
            default:
                var l = stat()
                if lstat(path, &l) == 0 { throw DataError(.missingFile, file: path, "\(what) not found: a symbolic link to a file that does not exist") }
                throw DataError(.missingFile, file: path, "\(what) not found")
            }
        }
        switch st.st_mode & S_IFMT {
        case S_IFDIR: throw DataError(.unreadable, file: path, "is a folder, expected a file")
        case S_IFBLK: throw DataError(.unreadable, file: path, "is a block device, expected a file")
        case S_IFCHR:
            var input = stat()
            if streamed || (fstat(0, &input) == 0 && input.st_dev == st.st_dev && input.st_ino == st.st_ino) { return st }
            throw DataError(.unreadable, file: path, "is a device, not a \(what)")
        default: return st
        }
    }

    /// A new read descriptor positioned at the start of `path`'s bytes (the caller closes it). A non-regular
    /// input is read to its end on its first open and every open reads the same copy.
    public static func open(_ path: String, what: String = "file") throws -> Int32 {
        let st = try check(path, what: what)
        if (st.st_mode & S_IFMT) == S_IFREG && path != standardInput {
            let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else { throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))") }
            return fd
        }
        let key = Key(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        lock.lock(); defer { lock.unlock() }
        if streamed.contains(key) {
            throw DataError(.badArgument, file: path, "is a pipe already read as another input of this command: a pipe can be read once")
        }
        let copy: Int32
        if let existing = spooled[key] { copy = existing } else {
            copy = try spool(path)
            spooled[key] = copy
        }
        // A fresh file description at offset 0 (not a dup, which would share the offset).
        let fd = Glibc.open("/proc/self/fd/\(copy)", O_RDONLY | O_CLOEXEC)
        if fd >= 0 { return fd }
        let d = dup(copy)
        lseek(d, 0, SEEK_SET)
        return d
    }

    /// A descriptor for reading `path` once, front to back, without a copy (a FIFO or standard input is not
    /// spooled). A second open of the same pipe in this process is an error.
    public static func stream(_ path: String, what: String = "file") throws -> Int32 {
        let st = try check(path, what: what, streamed: true)
        if (st.st_mode & S_IFMT) == S_IFREG && path != standardInput { return try open(path, what: what) }
        let key = Key(device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
        lock.lock(); defer { lock.unlock() }
        if spooled[key] != nil || streamed.contains(key) {
            throw DataError(.badArgument, file: path, "is a pipe already read as another input of this command: a pipe can be read once")
        }
        streamed.insert(key)
        if path == standardInput { return dup(0) }
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))") }
        return fd
    }

    /// Every byte of `path` (at most `limit`: more is an error naming the size).
    public static func readAll(_ path: String, what: String = "file", limit: Int = Int.max) throws -> [UInt8] {
        let fd = try open(path, what: what)
        defer { close(fd) }
        var st = stat()
        if fstat(fd, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, Int(st.st_size) > limit {
            throw DataError(.unreadable, file: path, "has \(st.st_size) bytes, more than the \(limit) a \(what) may have")
        }
        var out: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw DataError(.unreadable, file: path, "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { return out }
            out.append(contentsOf: chunk[0..<n])
            if out.count > limit { throw DataError(.unreadable, file: path, "has more than \(limit) bytes, the most a \(what) may have") }
        }
    }

    /// Whether `path` is a regular file (not `-`, a pipe or a device).
    public static func isRegularFile(_ path: String) -> Bool {
        guard path != standardInput else { return false }
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    /// Reads a non-regular input to its end into an unnamed temporary file; returns its descriptor.
    private static func spool(_ path: String) throws -> Int32 {
        let src = path == standardInput ? dup(0) : Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard src >= 0 else { throw DataError(.unreadable, file: path, "cannot open: \(String(cString: strerror(errno)))") }
        defer { close(src) }
        let dir = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        var copy: Int32 = -1
        #if os(Linux)
        copy = Glibc.open(dir, O_RDWR | O_CLOEXEC | 0o20000000 | O_DIRECTORY, 0o600)   // O_TMPFILE
        #endif
        if copy < 0 {
            var template = Array((dir + "/.tagstack-input-XXXXXX").utf8CString)
            copy = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
            guard copy >= 0 else { throw DataError(.unreadable, file: path, "cannot keep a copy of this pipe in \(dir): \(String(cString: strerror(errno)))") }
            template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        }
        // A device (not a pipe) may never end (`/dev/zero`): it is copied up to a limit.
        var st = stat()
        let limit = fstat(src, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR ? deviceLimit : Int.max
        var total = 0
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(src, $0.baseAddress!, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                close(copy)
                throw DataError(.unreadable, file: path, "read failed: \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            total += n
            if total > limit {
                close(copy)
                throw DataError(.unreadable, file: path, "is a device that gave more than \(limit >> 20) MiB: not an input file")
            }
            var off = 0
            while off < n {
                let w = chunk.withUnsafeBytes { write(copy, $0.baseAddress! + off, n - off) }
                if w < 0 {
                    if errno == EINTR { continue }
                    let why = String(cString: strerror(errno))
                    close(copy)
                    throw DataError(.unreadable, file: path, "cannot keep a copy of this pipe in \(dir): \(why)")
                }
                off += w
            }
        }
        return copy
    }
}
