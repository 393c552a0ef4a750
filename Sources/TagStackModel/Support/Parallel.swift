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

/// `[body(0), ..., body(count - 1)]` computed as `parallelFor` does (results in index order, whatever the
/// scheduling). When items throw, every item still runs and the error of the lowest failing index is
/// rethrown, so the error too does not depend on scheduling.
package func parallelMap<T>(_ count: Int, threads: Int, _ body: (Int) throws -> T) throws -> [T] {
    var out = [Result<T, Error>?](repeating: nil, count: count)
    out.withUnsafeMutableBufferPointer { o in
        let o = o
        parallelFor(count, threads: threads) { i in o[i] = Result { try body(i) } }
    }
    return try out.map { try $0!.get() }
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
}
