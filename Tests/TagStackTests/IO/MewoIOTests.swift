import XCTest
import TagStackModel
@testable import TagStack

final class MewoIOTests: XCTestCase {
    let labelsText = ",rock,jazz,piano\ncategory,genres-a,genres-a,instruments-k\nclass,Genres,Genres,Instruments\n"

    func testLabelsRoundTrip() throws {
        let dir = TempDir()
        let labels = try MewoIO.readLabels(path: dir.write("labels.csv", labelsText))
        XCTAssertEqual(labels.tags, ["rock", "jazz", "piano"])
        XCTAssertEqual(labels.categories, ["genres-a", "instruments-k"])
        XCTAssertEqual(labels.classes, ["Genres", "Instruments"])
        XCTAssertEqual(labels.tagIndicesByClass, [[0, 1], [2]])
        try MewoIO.writeLabels(labels, to: dir.path + "/again.csv")
        XCTAssertEqual(try MewoIO.readLabels(path: dir.path + "/again.csv"), labels)
    }

    func testLabelsErrors() {
        let dir = TempDir()
        assertDataError(.badLabels, line: 4) { _ = try MewoIO.readLabels(path: dir.write("a.csv", ",a,b\ncategory,x,y\nclass,G,G\nextra,1,2\n")) }
        assertDataError(.badLabels, line: 2) { _ = try MewoIO.readLabels(path: dir.write("b.csv", ",a,b\ncategory,x,y\n")) }
        assertDataError(.badLabels, line: 1, column: 3) { _ = try MewoIO.readLabels(path: dir.write("c.csv", ",a,a\ncategory,x,y\nclass,G,G\n")) }
        assertDataError(.raggedRow, line: 3) { _ = try MewoIO.readLabels(path: dir.write("d.csv", ",a,b\ncategory,x,y\nclass,G\n")) }
        assertDataError(.badLabels, line: 2, column: 1) { _ = try MewoIO.readLabels(path: dir.write("e.csv", ",a,b\ncat,x,y\nclass,G,G\n")) }
        assertDataError(.emptyFile) { _ = try MewoIO.readLabels(path: dir.write("f.csv", "")) }
        assertDataError(.missingFile) { _ = try MewoIO.readLabels(path: dir.path + "/nope.csv") }
    }

    func testFeaturesKeepIDsAsTextAndValuesExact() throws {
        let dir = TempDir()
        let x = try MewoIO.readFeatures(path: dir.write("x.csv", "ChallengeID,rock,other\n0003524,0.113169,1e-7\n12,1,0\n"))
        XCTAssertEqual(x.ids, ["0003524", "12"])
        XCTAssertEqual(x.columns, ["rock", "other"])
        XCTAssertEqual(x.values, [0.113169, 1e-7, 1, 0])
        try MewoIO.writeFeatures(x, to: dir.path + "/again.csv")
        XCTAssertEqual(try MewoIO.readFeatures(path: dir.path + "/again.csv"), x)
    }

    func testFeatureErrorsNameLineAndColumn() {
        let dir = TempDir()
        let h = "ChallengeID,a,b\n"
        assertDataError(.raggedRow, line: 3, column: 3) { _ = try MewoIO.readFeatures(path: dir.write("1.csv", h + "1,0.1,0.2\n2,0.3\n")) }
        assertDataError(.notANumber, line: 2, column: 3) { _ = try MewoIO.readFeatures(path: dir.write("2.csv", h + "1,0.1,abc\n")) }
        assertDataError(.nonFinite, line: 2, column: 2) { _ = try MewoIO.readFeatures(path: dir.write("3.csv", h + "1,nan,0.2\n")) }
        assertDataError(.nonFinite, line: 2, column: 3) { _ = try MewoIO.readFeatures(path: dir.write("4.csv", h + "1,0.1,inf\n")) }
        assertDataError(.duplicateID, line: 3, column: 1) { _ = try MewoIO.readFeatures(path: dir.write("5.csv", h + "1,0,0\n1,0,0\n")) }
        assertDataError(.headerOnly) { _ = try MewoIO.readFeatures(path: dir.write("6.csv", h)) }
        assertDataError(.emptyFile) { _ = try MewoIO.readFeatures(path: dir.write("7.csv", "")) }
        assertDataError(.badIDColumn, line: 1, column: 1) { _ = try MewoIO.readFeatures(path: dir.write("8.csv", "id,a\n1,2\n")) }
        assertDataError(.duplicateColumn, line: 1, column: 3) { _ = try MewoIO.readFeatures(path: dir.write("9.csv", "ChallengeID,a,a\n1,2,3\n")) }
        assertDataError(.notANumber, line: 2, column: 2) { _ = try MewoIO.readFeatures(path: dir.write("10.csv", h + "1,,0.2\n")) }
    }

    func testAllowMissingReadsNaN() throws {
        let dir = TempDir()
        let x = try MewoIO.readFeatures(path: dir.write("x.csv", "ChallengeID,a,b\n1,,nan\n"), options: .init(allowMissing: true))
        XCTAssertTrue(x.values.allSatisfy(\.isNaN))
    }

    func testLabelMatrixMatchesColumnsByNameAndRowsByID() throws {
        let dir = TempDir()
        let labels = try MewoIO.readLabels(path: dir.write("labels.csv", labelsText))
        let y = try MewoIO.readLabelMatrix(path: dir.write("y.csv", "ChallengeID,piano,rock,jazz\nb,1,0,0\na,0,1,1\n"),
                                           labels: labels, alignTo: ["a", "b"])
        XCTAssertEqual(y.ids, ["a", "b"])
        XCTAssertEqual(y.values, [1, 1, 0, 0, 0, 1])
        // Training's reader: the same labels, one column per tag.
        let columns = try MewoIO.readLabelColumns(path: dir.path + "/y.csv", labels: labels, alignTo: ["a", "b"])
        XCTAssertEqual(columns, (0..<3).map { y.column($0) })
    }

    func testLabelMatrixErrors() throws {
        let dir = TempDir()
        let labels = try MewoIO.readLabels(path: dir.write("labels.csv", labelsText))
        let h = "ChallengeID,rock,jazz,piano\n"
        // Both readers (the matrix, and training's columns) give the same error, message and all.
        func read(_ text: String, _ ids: [String] = ["a"]) throws {
            let path = dir.write("y.csv", text)
            var messages: [String] = []
            do { _ = try MewoIO.readLabelMatrix(path: path, labels: labels, alignTo: ids) } catch { messages.append("\(error)") }
            do { _ = try MewoIO.readLabelColumns(path: path, labels: labels, alignTo: ids) } catch let e as DataError {
                XCTAssertEqual(messages, ["\(e)"], "the two readers disagree"); throw e
            }
            XCTAssertEqual(messages, [], "only the matrix reader failed")
        }
        assertDataError(.notBinary, line: 2, column: 3) { try read(h + "a,0,2,1\n") }
        assertDataError(.nonFinite, line: 2, column: 2) { try read(h + "a,nan,0,1\n") }
        assertDataError(.notANumber, line: 2, column: 4) { try read(h + "a,0,0,yes\n") }
        assertDataError(.unknownColumn, line: 1, column: 5) { try read("ChallengeID,rock,jazz,piano,violin\na,0,0,0,0\n") }
        assertDataError(.missingColumn, line: 1) { try read("ChallengeID,rock,jazz\na,0,0\n") }
        assertDataError(.missingID) { try read(h + "b,0,0,0\n", ["a", "b"]) }
        assertDataError(.extraID, line: 3, column: 1) { try read(h + "a,0,0,0\nz,0,0,0\n") }
        assertDataError(.missingID) { try read(h + "z,0,0,0\nb,0,0,0\n", ["a", "b"]) }   // missing before extra
        assertDataError(.headerOnly) { try read(h) }
        do { try read(h + "b,0,0,0\n", ["a", "b"]) } catch let e as DataError { XCTAssertTrue(e.description.contains("'a'"), e.description) }
    }

    func testLabelMatrixWriteReadRoundTrip() throws {
        let dir = TempDir()
        let labels = try MewoIO.readLabels(path: dir.write("labels.csv", labelsText))
        let m = LabelMatrix(ids: ["x,1", "0007"], tags: labels.tags, values: [1, 0, 1, 0, 1, 0])
        try MewoIO.writeLabelMatrix(m, to: dir.path + "/d.csv")
        XCTAssertEqual(try MewoIO.readLabelMatrix(path: dir.path + "/d.csv", labels: labels, alignTo: m.ids), m)
        XCTAssertEqual(dir.files(), ["d.csv", "labels.csv"], "no temporary file left behind")
    }

    func testGroupsAlignedToIDs() throws {
        let dir = TempDir()
        let g = try MewoIO.readGroups(path: dir.write("g.csv", "ChallengeID,artist,album\nb,A1,L1\na,A2,L2\n"), alignTo: ["a", "b"])
        XCTAssertEqual(g.columns, ["artist", "album"])
        XCTAssertEqual(g.values, [["A2", "A1"], ["L2", "L1"]])
    }

    func testAtomicWriterLeavesNothingOnAbortAndKeepsOldFile() throws {
        let dir = TempDir()
        let target = dir.write("model.json", "old")
        let w = try AtomicFileWriter(path: target)
        try w.write("new, unfinished")
        w.abort()
        XCTAssertEqual(try String(contentsOfFile: target, encoding: .utf8), "old")
        XCTAssertEqual(dir.files(), ["model.json"])
        assertDataError(.writeFailed) { _ = try AtomicFileWriter(path: dir.path + "/missing/x.csv") }
    }
}

final class NPYTests: XCTestCase {
    func testRoundTripFloat64AndUInt8() throws {
        let m = NPYMatrix(rows: 2, columns: 3, values: [0.1, -2, 3e-300, 1, 0, 1])
        XCTAssertEqual(try NPY.decode(NPY.encode(m), path: "m.npy"), m)
        let d = NPYMatrix(rows: 2, columns: 3, values: [1, 0, 1, 0, 0, 1])
        XCTAssertEqual(try NPY.decode(NPY.encode(d, as: .uint8), path: "d.npy"), d)
        XCTAssertEqual((NPY.encode(m).count - 48) % 64, 0, "header padded to 64 bytes")
    }

    /// Bytes as NumPy writes them (`np.save` of `np.array([[1.5, -2], [0, 3]], dtype='>f4', order='F')`),
    /// built by hand: big-endian float32, Fortran order.
    func testBigEndianFortranFloat32() throws {
        var header = "{'descr': '>f4', 'fortran_order': True, 'shape': (2, 2), }"
        header += String(repeating: " ", count: 128 - 10 - header.count - 1) + "\n"
        var bytes: [UInt8] = [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59, 1, 0, UInt8(header.utf8.count), 0] + Array(header.utf8)
        for v: Float in [1.5, 0, -2, 3] { withUnsafeBytes(of: v.bitPattern.bigEndian) { bytes += $0 } }
        let m = try NPY.decode(bytes, path: "f.npy")
        XCTAssertEqual(m, NPYMatrix(rows: 2, columns: 2, values: [1.5, -2, 0, 3]))
    }

    func testErrors() {
        assertDataError(.badNPY) { _ = try NPY.decode([1, 2, 3], path: "x.npy") }
        var bytes = NPY.encode(NPYMatrix(rows: 1, columns: 2, values: [1, 2]))
        bytes.removeLast()
        assertDataError(.badNPY) { _ = try NPY.decode(bytes, path: "x.npy") }
    }

    /// The real `.npy` files NumPy writes, when python3 and numpy are available.
    func testReadsFilesWrittenByNumPy() throws {
        let dir = TempDir()
        let script = """
        import numpy as np
        np.save('\(dir.path)/a.npy', np.array([[0.25, 1.0], [3.5, -1.0]], dtype=np.float32))
        np.save('\(dir.path)/b.npy', np.array([[True, False], [False, True]]))
        np.save('\(dir.path)/c.npy', np.arange(6, dtype=np.int64).reshape(2, 3))
        """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", "-c", script]
        p.standardError = FileHandle.nullDevice
        try p.run(); p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw XCTSkip("python3 with numpy is not available") }
        XCTAssertEqual(try NPY.read(path: dir.path + "/a.npy").values, [0.25, 1, 3.5, -1])
        XCTAssertEqual(try NPY.read(path: dir.path + "/b.npy").values, [1, 0, 0, 1])
        XCTAssertEqual(try NPY.read(path: dir.path + "/c.npy"), NPYMatrix(rows: 2, columns: 3, values: [0, 1, 2, 3, 4, 5]))
    }
}
