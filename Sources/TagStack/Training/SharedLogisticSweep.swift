// One pass of `SharedLogistic.fit` over the rows: every (row set, tag) pair's sums, read a chunk of rows at a time.
//
// The fit reads z by rows (`SharedLogistic.Reader`) and not a tag's column at a time: a logistic learner's
// out-of-fold scores are recomputed when read (Stacking/RecomputedScores.swift), and a chunk of rows across every
// tag costs one preparation of each row, where a column costs one of every row for each block of tags (a pass by
// rows took a few times less than one by columns at 100,000 rows; README, Large catalogues).
//
// Notes (hot loop `sweep`): reads z (row-major per chunk: row, tag, source; read-only) and the labels; writes
// each (row set, tag) pair's `TagSums`, owned by one thread within a chunk (tags are split among the threads),
// and adds each row's terms in increasing row order across chunks, so every sum is the one
// `SharedLogistic.tagSums` (the plain twin, a column at a time) gives, bit for bit, at any thread count and chunk
// size (SharedLogisticTests compares them).

import TagStackModel

extension SharedLogistic {
    /// What a pass accumulates: each tag's start (`Start`: the shared term and each source summed at the start's
    /// weights) or its sums at a candidate.
    enum Sweep { case start, sums }

    /// One pass: for each row set `p` in `active`, each tag's sums on its rows (`parts[p]`, increasing) at
    /// `weights[p]` and `intercepts[p]` (with `.start`, `TagSums.shared` and `.sources` only). Tags that are not
    /// `informative[p]` are left at zero with `.sums`.
    static func sweep(_ kind: Sweep, parts: [[Int32]], active: [Bool], informative: [[Bool]], weights: [[Double]], intercepts: [[Double]],
                      tags t: Int, sources m: Int, labels: [[UInt8]], read: Reader, threads: Int) -> [[TagSums]] {
        let p = parts.count
        let acc = UnsafeMutableBufferPointer<TagSums>.allocate(capacity: p * t)
        acc.initialize(repeating: TagSums(sources: m))
        defer { acc.deallocate() }
        var cursor = [Int](repeating: 0, count: p)
        read { rows, z in
            // Each row set's rows within the chunk: a slice of its increasing rows.
            let slices = (0..<p).map { q -> Range<Int> in
                let r = parts[q], lo = cursor[q]
                var hi = lo
                while hi < r.count && Int(r[hi]) < rows.upperBound { hi += 1 }
                cursor[q] = hi
                return lo..<hi
            }
            let stride = t * m
            parallelChunks(t, chunks: max(1, min(threads, t))) { _, tags in
                for k in tags {
                    for q in 0..<p where active[q] {
                        let idx = q * t + k
                        var s = (acc.baseAddress! + idx).move()
                        if kind == .start {
                            addStart(&s, z: z, rows: parts[q][slices[q]], first: rows.lowerBound, stride: stride, tag: k, w: weights[q])
                        } else if informative[q][k] {
                            addSums(&s, z: z, rows: parts[q][slices[q]], first: rows.lowerBound, stride: stride, tag: k,
                                    y: labels[k], w: weights[q], b: intercepts[q][k])
                        }
                        (acc.baseAddress! + idx).initialize(to: s)
                    }
                }
            }
        }
        return (0..<p).map { q in Array(acc[(q * t)..<((q + 1) * t)]) }
    }

    /// A start's sums over `rows` (the order of `Fit.start`'s loop).
    @inline(__always)
    static func addStart(_ s: inout TagSums, z: UnsafeBufferPointer<Double>, rows: ArraySlice<Int32>, first: Int, stride: Int,
                         tag k: Int, w: [Double]) {
        let m = w.count
        for r in rows {
            let base = (Int(r) - first) * stride + k * m
            for j in 0..<m { s.shared += w[j] * z[base + j]; s.sources[j] += z[base + j] }
        }
    }

    /// `tagSums`' loop over `rows`, continuing `s`.
    @inline(__always)
    static func addSums(_ s: inout TagSums, z: UnsafeBufferPointer<Double>, rows: ArraySlice<Int32>, first: Int, stride: Int,
                        tag k: Int, y yk: [UInt8], w: [Double], b bk0: Double) {
        let m = w.count
        var x = [Double](repeating: 0, count: m)
        for r in rows {
            let i = Int(r), base = (i - first) * stride + k * m
            var eta = bk0
            for j in 0..<m { x[j] = z[base + j]; eta += w[j] * x[j] }
            s.add(eta: eta, y: Double(yk[i]), x: x)
        }
    }
}
