// Shared by the file-based harnesses: one scratch file per harness and process, rewritten for each input.

import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class FuzzScratch: @unchecked Sendable {
    let path: String
    init(name: String) {
        let dir = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        path = dir + "/tagstack-fuzz-\(name)-\(getpid()).csv"
    }
    /// Replaces the file's contents with `bytes`; returns its path.
    func write(_ bytes: [UInt8]) -> String {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        precondition(fd >= 0, "cannot open \(path)")
        var off = 0
        while off < bytes.count {
            let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + off, bytes.count - off) }
            precondition(n > 0); off += n
        }
        close(fd)
        return path
    }
}
