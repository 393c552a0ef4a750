// Scoring files with a saved model. CSV input is streamed in blocks of rows, so a catalogue larger than
// memory can be scored: memory holds one block of inputs and outputs, never the whole file. Decisions
// (and probabilities) are written to temporary files and renamed only when every row has been scored.

import Foundation
import TagStackModel

public struct PredictionSummary: Sendable {
    public var rows = 0
    /// Input columns the model does not use (ignored).
    public var ignoredColumns: [String] = []
}

/// Threads used by default: every core the machine has.
public let defaultThreadCount = max(1, ProcessInfo.processInfo.activeProcessorCount)

public enum Predictor {
    /// Rows scored per block.
    public static let blockSize = 4096

    /// Scores `inputPath` (CSV or `.npy`) with `model`; writes decisions (y layout) and optionally
    /// probabilities. Nothing is written unless every row scores.
    public static func predictFile(model: StackerModel, inputPath: String, decisionsPath: String,
                                   scoresPath: String?, options: FeatureReadOptions = .init(),
                                   columnNames: [String]? = nil, decisionsType: NPY.OutputType = .bool,
                                   threads: Int = defaultThreadCount) throws -> PredictionSummary {
        let scorer = try ModelScorer(model: model)
        let decider = scorer.decider
        let tags = model.labels.tags
        // An output ending in .npy is a MediaEval matrix (tracks × tags in labels.csv order, rows in input
        // order): its header holds the row count, so it is kept in memory and written at the end.
        let decisionsNPY = DataFiles.isNPY(decisionsPath), scoresNPY = scoresPath.map(DataFiles.isNPY) ?? false
        let decisionsOut = try AtomicFileWriter(path: decisionsPath)
        let scoresOut = try scoresPath.map { try AtomicFileWriter(path: $0) }
        if !decisionsNPY { try decisionsOut.write(MewoIO.csvRow([MewoIO.idColumn] + tags)) }
        if !scoresNPY { try scoresOut?.write(MewoIO.csvRow([MewoIO.idColumn] + tags)) }
        var allDecisions: [Double] = [], allScores: [Double] = []

        var summary = PredictionSummary()
        // Whether every value the model reads is exactly 0 or 1: a label file (y) given as features.
        var allBinary = true
        func emit(_ ids: [String], _ inputs: [Double], _ width: Int, _ mapping: [Int]) throws {
            if allBinary {
                let used = Set(mapping)
                for i in 0..<ids.count where allBinary {
                    for j in used where inputs[i * width + j] != 0 && inputs[i * width + j] != 1 { allBinary = false; break }
                }
            }
            let r = scorer.score(rows: ids.count, columns: width, values: inputs, mapping: mapping, threads: threads)
            let d = decider.decide(rows: ids.count, scores: r.scores, categoryScores: r.categoryScores)
            if decisionsNPY { allDecisions.append(contentsOf: d.lazy.map { Double($0) }) }
            if scoresNPY { allScores.append(contentsOf: r.probabilities) }
            try writeBlock(ids: ids, decisions: d, probabilities: r.probabilities, tags: tags.count,
                           decisionsNPY ? nil : decisionsOut, scoresNPY ? nil : scoresOut)
            summary.rows += ids.count
        }

        let ignored = try forEachBlock(inputPath, scorer: scorer, labels: model.labels, options: options,
                                       columnNames: columnNames, emit)
        summary.ignoredColumns = ignored
        if allBinary && summary.rows > 0 {
            throw DataError(.notAProbability, file: inputPath,
                            "every value of the \(model.inputColumns.count) column(s) the model reads is 0 or 1 in all \(summary.rows) rows: this looks like a label file (y), not first-stage scores")
        }
        if decisionsNPY {
            try decisionsOut.write(bytes: NPY.encode(NPYMatrix(rows: summary.rows, columns: tags.count, values: allDecisions), as: decisionsType))
        }
        if scoresNPY, let scoresOut {
            try scoresOut.write(bytes: NPY.encode(NPYMatrix(rows: summary.rows, columns: tags.count, values: allScores), as: .float64))
        }
        try commitAll([decisionsOut] + (scoresOut.map { [$0] } ?? []))
        return summary
    }

    /// Reads `inputPath` (`.npy` at once; CSV in blocks of `blockSize` rows, parsing only the columns the model
    /// reads) and hands each block to `emit` (ids, row-major inputs, their width, the model's column mapping);
    /// returns the input columns the model does not read.
    static func forEachBlock(_ inputPath: String, scorer: ModelScorer, labels: LabelSet, options: FeatureReadOptions,
                             columnNames: [String]?,
                             _ emit: (_ ids: [String], _ inputs: [Double], _ width: Int, _ mapping: [Int]) throws -> Void) throws -> [String] {
        if DataFiles.isNPY(inputPath) {
            let x = try DataFiles.readFeatures(path: inputPath, labels: labels, columnNames: columnNames, options: options)
            let mapping = try mapColumns(scorer, x.columns, inputPath, line: nil)
            try emit(x.ids, x.values, x.columnCount, mapping)
            return unused(x.columns, mapping)
        } else {
            let r = try CSVReader(streaming: inputPath)
            let columns = try MewoIO.readHeader(r)
            let mapping0 = try mapColumns(scorer, columns, inputPath, line: r.line)
            // Parse only the needed columns: the block holds them densely, in the model's order.
            let needed = mapping0
            let width = needed.count
            let identity = Array(0..<width)
            var seen: [String: Int] = [:], rows = 0
            var ids: [String] = []; ids.reserveCapacity(blockSize)
            var block: [Double] = []; block.reserveCapacity(blockSize * width)
            while let id = try MewoIO.nextRow(r, width: columns.count + 1, seen: &seen) {
                ids.append(id)
                for j in needed {
                    if let v = r.double(j + 1), v.isFinite || (options.allowMissing && v.isNaN) { block.append(v); continue }
                    block.append(try MewoIO.badFeatureCell(r, j + 1, columns[j], options))
                }
                rows += 1
                if ids.count == blockSize {
                    try emit(ids, block, width, identity)
                    ids.removeAll(keepingCapacity: true); block.removeAll(keepingCapacity: true)
                }
            }
            if !ids.isEmpty { try emit(ids, block, width, identity) }
            if rows == 0 { throw DataError(.headerOnly, file: inputPath, line: r.line + 1, "no data rows after the header") }
            return unused(columns, mapping0)
        }
    }

    static func mapColumns(_ scorer: ModelScorer, _ columns: [String], _ path: String, line: Int?) throws -> [Int] {
        do { return try scorer.columnMapping(for: columns) } catch let ModelError.missingColumns(names) {
            throw DataError(.missingColumn, file: path, line: line,
                            "lacks \(names.count) column(s) the model needs: \(MewoIO.listNames(names))")
        }
    }

    static func unused(_ columns: [String], _ mapping: [Int]) -> [String] {
        let used = Set(mapping)
        return columns.indices.filter { !used.contains($0) }.map { columns[$0] }
    }

    static func writeBlock(ids: [String], decisions: [UInt8], probabilities: [Double], tags: Int,
                           _ dOut: AtomicFileWriter?, _ pOut: AtomicFileWriter?) throws {
        if let dOut {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(ids.count * (tags * 2 + 16))
            for (i, id) in ids.enumerated() {
                bytes.append(contentsOf: MewoIO.csvID(id))
                for k in 0..<tags { bytes.append(UInt8(ascii: ",")); bytes.append(decisions[i * tags + k] == 0 ? 0x30 : 0x31) }
                bytes.append(0x0A)
        }
        try dOut.write(bytes: bytes)
        }
        guard let pOut else { return }
        var line = ""
        for (i, id) in ids.enumerated() {
            line.removeAll(keepingCapacity: true)
            for k in 0..<tags { line += ","; line += MewoIO.formatNumber(probabilities[i * tags + k]) }
            line += "\n"
            try pOut.write(bytes: MewoIO.csvID(id))
            try pOut.write(line)
        }
    }
}
