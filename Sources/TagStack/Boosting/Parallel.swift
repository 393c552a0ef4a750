// A minimal fork-join helper over Dispatch. Work items must be independent; results must be written to
// disjoint places and combined by the caller in a fixed order, so output never depends on scheduling.

import Dispatch
import Foundation

/// Runs `body(i)` for every `i` in `0..<count` on up to `threads` workers that pull indices from a shared
/// locked counter (so a slow item does not hold up a whole static chunk). With `threads <= 1` or
/// `count <= 1` it runs inline, in order.
func parallelFor(_ count: Int, threads: Int, _ body: (Int) -> Void) {
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

/// `[body(0), ..., body(count - 1)]` computed as `parallelFor` does (results in index order, whatever the
/// scheduling). When items throw, every item still runs and the error of the lowest failing index is
/// rethrown, so the error too does not depend on scheduling.
func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) throws -> T) throws -> [T] {
    var out = [Result<T, Error>?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { o in
        let o = o
        parallelFor(count, threads: threads) { i in o[i] = Result { try body(i) } }
    }
    return try out.map { try $0!.get() }
}

/// Runs `body(k)` for `k` in `0..<workers` concurrently (one call per worker, static split by the caller).
func parallelChunks(_ workers: Int, _ body: (Int) -> Void) {
    if workers <= 1 { body(0); return }
    withoutActuallyEscaping(body) { body in
        DispatchQueue.concurrentPerform(iterations: workers) { k in body(k) }
    }
}

/// A shared counter handing out 0, 1, 2, ... to whichever worker asks next.
final class WorkCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock(); defer { lock.unlock() }
        let v = value; value += 1
        return v
    }
}
