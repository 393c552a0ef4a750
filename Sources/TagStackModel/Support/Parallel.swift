// The one fork-join helper of the package (training and batch scoring alike). Work items must be independent;
// results are written to disjoint places (or returned by `parallelMap` in index order), so output never
// depends on scheduling. `package` access: the training module and the CLI use it; services that import
// TagStackModel do not see it.

import Dispatch
import Foundation

/// Runs `body(i)` for every `i` in `0..<count` on up to `threads` workers that pull indices from a shared
/// locked counter (so a slow item does not hold up a whole static chunk). With `threads <= 1` or
/// `count <= 1` it runs inline, in order. A static split into `k` chunks is `parallelFor(k, threads: k)`.
package func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
    if count <= 0 { return }
    let workers = min(max(threads, 1), count)
    if workers == 1 {
        for i in 0..<count { body(i) }
        return
    }
    let counter = WorkCounter()
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { _ in
            while true {
                let i = counter.next()
                if i >= count { break }
                body(i)
            }
        }
    }
}

/// Splits `0..<count` into `chunks` consecutive ranges of near-equal size (chunk c is `count·c/chunks ..<
/// count·(c+1)/chunks`) and runs `body(c, range)` for each, one a worker (`parallelFor(chunks, threads: chunks)`).
package func parallelChunks(_ count: Int, chunks: Int, _ body: (Int, Range<Int>) -> Void) {
    parallelFor(chunks, threads: chunks) { c in body(c, (c * count / chunks)..<((c + 1) * count / chunks)) }
}

/// `[body(0), ..., body(count - 1)]` computed as `parallelFor` does (results in index order, whatever the
/// scheduling). It throws only when `body` does (`rethrows`: a non-throwing body needs no `try`, and no caller
/// needs a `try?` that would turn an error into a silent default). When items throw, every item still runs and
/// the lowest failing item is run once more, alone, to rethrow its error (a rethrowing function can only throw
/// from a call of its argument), so the error does not depend on scheduling; items must be deterministic.
package func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) throws -> T) rethrows -> [T] {
    var out = [T?](repeating: nil, count: count)
    var failed = [Bool](repeating: false, count: count)
    out.withUnsafeMutableBufferPointer { o in
        failed.withUnsafeMutableBufferPointer { f in
            let o = o, f = f
            parallelFor(count, threads: threads) { i in
                do { o[i] = try body(i) } catch { f[i] = true }
            }
        }
    }
    if let i = failed.firstIndex(of: true) {
        _ = try body(i)
        fatalError("parallelMap: item \(i) threw, then did not when run again: items must be deterministic")
    }
    return out.map { $0! }
}

/// A shared counter handing out 0, 1, 2, ... to whichever worker asks next.
package final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    package init() {}
    package func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value; value += 1
        return v
    }
    /// Adds `n` and returns the new value.
    package func add(_ n: Int) -> Int {
        lock.lock(); defer { lock.unlock() }
        value += n
        return value
    }
}
