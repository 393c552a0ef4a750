// A folder whose contents one command owns and replaces as a set (`export --out`, `generate --out`).
//
// Files are written into a sibling staging folder `.<name>.tagstack-tmp-<pid>`; `commit()` then swaps it in:
// the old folder is renamed to `.<name>.tagstack-old-<pid>`, the staging folder to `<name>`, and the old one
// removed. So the folder never mixes two runs' files (no stale model file of an older export, no old test
// split beside new training files), and a failure (a full disk, an unwritable file) leaves the previous folder
// as it was and removes the staging folder. Files the command never writes but may find there (`carries`: a
// README in the default data folder) are copied into the new folder unchanged; any other file is refused
// rather than replaced: it is not the command's to delete.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

public final class OwnedFolder {
    /// The folder the user named.
    public let path: String
    /// Where the files are written until `commit()`.
    public let staging: String
    private let parent: String
    private let name: String
    private var done = false

    /// - Parameters:
    ///   - owns: whether a file name in an existing folder is one this command writes (so may be replaced).
    ///   - what: the command, for messages ("export").
    /// - Throws: `DataError.writeFailed` naming the folder when it is a file, holds other files, or the
    ///   staging folder cannot be created (a read-only filesystem, no permission, no space), said as such.
    ///   - carries: whether a file the command does not write is carried over into the new folder unchanged.
    public init(path: String, what: String, owns: (String) -> Bool, carries: (String) -> Bool = { _ in false }) throws {
        let url = URL(fileURLWithPath: path).standardizedFileURL
        // Replace the folder a symbolic link points at, not the link.
        let real = url.resolvingSymlinksInPath()
        self.path = path
        name = real.lastPathComponent
        parent = real.deletingLastPathComponent().path
        var isDir: ObjCBool = false
        var carried: [String] = []
        if FileManager.default.fileExists(atPath: real.path, isDirectory: &isDir) {
            guard isDir.boolValue else { throw DataError(.writeFailed, file: path, "exists and is not a folder") }
            let entries = (try? FileManager.default.contentsOfDirectory(atPath: real.path)) ?? []
            carried = entries.filter { !owns($0) && carries($0) }.sorted()
            let foreign = entries.filter { !owns($0) && !carries($0) }.sorted()
            if !foreign.isEmpty {
                throw DataError(.writeFailed, file: path,
                                "holds \(MewoIO.listNames(foreign, limit: 4)), which \(what) does not write: \(what) replaces the whole folder, so give it an empty folder or one it wrote")
            }
        }
        do { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) } catch {
            throw DataError(.writeFailed, file: path, "cannot create the folder '\(parent)': \(OwnedFolder.reason(error, parent))")
        }
        OwnedFolder.removeStale(parent: parent, name: name)
        staging = parent + "/." + name + ".tagstack-tmp-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        if mkdir(staging, 0o755) != 0 {
            throw DataError(.writeFailed, file: path, "cannot write: \(OutputTarget.describe(errno: errno, folder: parent))")
        }
        for f in carried {
            do { try FileManager.default.copyItem(atPath: real.path + "/" + f, toPath: staging + "/" + f) } catch {
                try? FileManager.default.removeItem(atPath: staging)
                throw DataError(.writeFailed, file: path, "cannot carry '\(f)' over into the new folder: \(OwnedFolder.reason(error, parent))")
            }
        }
    }

    deinit { if !done { abort() } }

    /// The path of `file` inside the staging folder.
    public func file(_ file: String) -> String { staging + "/" + file }

    /// Swaps the staging folder in place of the folder; the old contents are removed.
    public func commit() throws {
        guard !done else { return }
        done = true
        let target = parent + "/" + name
        let old = parent + "/." + name + ".tagstack-old-\(getpid())"
        var st = stat()
        let exists = lstat(target, &st) == 0
        if exists && rename(target, old) != 0 {
            let why = errno == EBUSY ? "it is a mount point (or in use), which cannot be replaced: name a folder inside it"
                                     : String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: staging)
            throw DataError(.writeFailed, file: path, "cannot replace the folder: \(why)")
        }
        if rename(staging, target) != 0 {
            let why = String(cString: strerror(errno))
            if exists { rename(old, target) }
            try? FileManager.default.removeItem(atPath: staging)
            throw DataError(.writeFailed, file: path, "cannot replace the folder: \(why)")
        }
        if exists { try? FileManager.default.removeItem(atPath: old) }
    }

    /// Removes the staging folder; the folder is untouched.
    public func abort() {
        guard !done else { return }
        done = true
        try? FileManager.default.removeItem(atPath: staging)
    }

    /// Staging and old folders of processes that no longer exist.
    static func removeStale(parent: String, name: String) {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: parent) else { return }
        for prefix in ["." + name + ".tagstack-tmp-", "." + name + ".tagstack-old-"] {
            for e in entries where e.hasPrefix(prefix) {
                guard let pid = Int32(e.dropFirst(prefix.count)) else { continue }
                if pid != getpid(), kill(pid, 0) != 0, errno == ESRCH { try? FileManager.default.removeItem(atPath: parent + "/" + e) }
            }
        }
    }

    static func reason(_ error: Error, _ folder: String) -> String {
        if let posix = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError, posix.domain == NSPOSIXErrorDomain {
            return OutputTarget.describe(errno: Int32(posix.code), folder: folder)
        }
        let ns = error as NSError
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileWriteVolumeReadOnlyError { return "a read-only filesystem" }
        if ns.domain == NSCocoaErrorDomain && ns.code == NSFileWriteNoPermissionError { return "no permission" }
        return ns.localizedFailureReason ?? ns.localizedDescription
    }
}
