import Foundation
import XCTest

/// The MediaEval 2019 `.npy` workflow through the binary: predict to `.npy` equals predict to CSV; evaluate on
/// `.npy` gives exactly the CSV figures; an `.npy` X with other networks' columns works with `--columns`;
/// transposed matrices say so. The NumPy round trips skip when NumPy is absent.
final class NPYWorkflowTests: XCTestCase {
    /// Runs `python3 -c CODE ARGS...`; nil when python3 or NumPy is missing.
    func numpy(_ code: String, _ args: [String]) throws -> CLI.Result? {
        func run(_ a: [String]) throws -> CLI.Result { try CLI.run(executable: URL(fileURLWithPath: "/usr/bin/env"), ["python3"] + a) }
        guard (try? run(["-c", "import numpy"]))?.status == 0 else { return nil }
        return try run(["-c", code] + args)
    }

    func jamendo() throws -> String {
        guard let d = sharedData("jamendo-moodtheme") else { throw XCTSkip("../shared/data/jamendo-moodtheme is absent") }
        return d
    }

    /// A model trained on Jamendo that reads other networks' columns (every tag stacked, logistic), once.
    static var trained: (Scratch, String)?
    override class func tearDown() { trained = nil }
    func model(_ data: String) throws -> (Scratch, String) {
        if let t = Self.trained { return t }
        let s = Scratch()
        let r = try CLI.run(["train", "--data", data, "--model", s.path + "/m.json", "--learner", "logistic", "--folds", "0",
                             "--margin", "-1", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        Self.trained = (s, s.path + "/m.json")
        return Self.trained!
    }

    /// Predicts `data`'s test file to CSV and to .npy; NumPy checks they agree and writes the truth as .npy
    /// (bool, int64, float32 in Fortran order, and transposed); evaluate on each equals evaluate on CSV.
    func roundTrip(data: String, model m: String, in s: Scratch, file: StaticString = #filePath, line: UInt = #line) throws {
        let x = data + "/test_X.csv"
        XCTAssertEqual(try CLI.run(["predict", "--model", m, "--input", x, "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv", "--quiet"]).status, 0)
        XCTAssertEqual(try CLI.run(["predict", "--model", m, "--input", x, "--decisions", s.path + "/d.npy", "--scores", s.path + "/p.npy", "--quiet"]).status, 0)
        XCTAssertEqual(try CLI.run(["predict", "--model", m, "--input", x, "--decisions", s.path + "/d8.npy", "--npy-decisions", "uint8", "--quiet"]).status, 0)
        let check = """
        import sys, numpy as np, csv
        d, p, d8 = np.load(sys.argv[1]), np.load(sys.argv[2]), np.load(sys.argv[3])
        rows = list(csv.reader(open(sys.argv[4]))); prow = list(csv.reader(open(sys.argv[5])))
        labels = list(csv.reader(open(sys.argv[6])))[0][1:]
        assert rows[0][1:] == labels, "tags in labels.csv order"
        assert d.dtype == np.bool_ and d8.dtype == np.uint8 and p.dtype == np.float64, (d.dtype, d8.dtype, p.dtype)
        assert d.shape == (len(rows) - 1, len(labels)) and p.shape == d.shape
        assert (d == np.array([[c == '1' for c in r[1:]] for r in rows[1:]])).all()
        assert (d8 == d).all()
        assert (p == np.array([[float(c) for c in r[1:]] for r in prow[1:]])).all(), "float64 equal to the CSV's shortest round-trip text"
        truth = np.array([[int(c) for c in r[1:]] for r in list(csv.reader(open(sys.argv[7])))[1:]])
        np.save(sys.argv[8] + '/y_bool.npy', truth.astype(bool)); np.save(sys.argv[8] + '/y_int.npy', truth.astype(np.int64))
        np.save(sys.argv[8] + '/y_float.npy', np.asfortranarray(truth.astype(np.float32))); np.save(sys.argv[8] + '/d_float.npy', d.astype(np.float64))
        np.save(sys.argv[8] + '/yT.npy', truth.T.astype(bool))
        print("ok")
        """
        guard let r = try numpy(check, [s.path + "/d.npy", s.path + "/p.npy", s.path + "/d8.npy", s.path + "/d.csv", s.path + "/p.csv",
                                        data + "/labels.csv", data + "/test_y.csv", s.path]) else {
            throw XCTSkip("NumPy is absent: the NumPy round trip is skipped (pip install numpy)")
        }
        XCTAssertEqual(r.status, 0, r.stderr)
        let csv = try CLI.run(["evaluate", "--truth", data + "/test_y.csv", "--decisions", s.path + "/d.csv", "--scores", s.path + "/p.csv", "--json"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        for (truth, decisions) in [("y_bool", "d"), ("y_int", "d8"), ("y_float", "d_float")] {
            let e = try CLI.run(["evaluate", "--truth", s.path + "/\(truth).npy", "--decisions", s.path + "/\(decisions).npy",
                                 "--scores", s.path + "/p.npy", "--labels", data + "/labels.csv", "--json"])
            XCTAssertEqual(e.status, 0, e.stderr)
            XCTAssertEqual(e.stdout, csv.stdout, "\(truth) + \(decisions).npy: exactly the CSV figures")
        }
        let mixed = try CLI.run(["evaluate", "--truth", data + "/test_y.csv", "--decisions", s.path + "/d.npy", "--scores", s.path + "/p.npy", "--json"])
        XCTAssertEqual(mixed.stdout, csv.stdout, mixed.stderr)
    }

    func testPredictToNPYEqualsPredictToCSVAndEvaluateOnNPYEqualsCSV() throws {
        let data = try jamendo()
        let (s, m) = try model(data)
        try roundTrip(data: data, model: m, in: s)
        // Transposed truth: the message says which file looks transposed.
        let t = try CLI.run(["evaluate", "--truth", s.path + "/yT.npy", "--decisions", s.path + "/d.npy"])
        XCTAssertEqual(t.status, 1)
        XCTAssertTrue(t.stderr.contains("yT.npy") && t.stderr.contains("looks transposed"), t.stderr)
        let t2 = try CLI.run(["evaluate", "--truth", data + "/test_y.csv", "--decisions", s.path + "/yT.npy"])
        XCTAssertTrue(t2.stderr.contains("shape (56, 1668)") && t2.stderr.contains("looks transposed"), t2.stderr)
    }

    func testNPYXWithOtherNetworksNeedsAndUsesAColumnsFile() throws {
        let data = try jamendo()
        let (s, m) = try model(data)
        let make = """
        import sys, csv, numpy as np
        rows = list(csv.reader(open(sys.argv[1])))
        np.save(sys.argv[2] + '/X.npy', np.array([[float(c) for c in r[1:]] for r in rows[1:]]))
        np.save(sys.argv[2] + '/XT.npy', np.array([[float(c) for c in r[1:]] for r in rows[1:]]).T)
        open(sys.argv[2] + '/columns.txt', 'w').write(','.join(rows[0]) + '\\n')
        """
        guard let r = try numpy(make, [data + "/test_X.csv", s.path]) else { throw XCTSkip("NumPy is absent (pip install numpy)") }
        XCTAssertEqual(r.status, 0, r.stderr)
        let csv = try CLI.run(["predict", "--model", m, "--input", data + "/test_X.csv", "--decisions", s.path + "/dc.csv", "--scores", s.path + "/pc.csv", "--quiet"])
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let without = try CLI.run(["predict", "--model", m, "--input", s.path + "/X.npy", "--decisions", s.path + "/dn.csv"])
        XCTAssertEqual(without.status, 1)
        XCTAssertTrue(without.stderr.contains("has 280 columns") && without.stderr.contains("--columns FILE"), without.stderr)
        let with = try CLI.run(["predict", "--model", m, "--input", s.path + "/X.npy", "--columns", s.path + "/columns.txt",
                                "--decisions", s.path + "/dn.csv", "--scores", s.path + "/pn.csv", "--quiet"])
        XCTAssertEqual(with.status, 0, with.stderr)
        // Same values; rows are numbered 0, 1, … instead of carrying ChallengeIDs.
        func body(_ p: String) throws -> [String] { try String(contentsOfFile: p).split(separator: "\n").dropFirst().map { $0.split(separator: ",", maxSplits: 1)[1].description } }
        XCTAssertEqual(try body(s.path + "/dn.csv"), try body(s.path + "/dc.csv"))
        XCTAssertEqual(try body(s.path + "/pn.csv"), try body(s.path + "/pc.csv"))
        let transposed = try CLI.run(["predict", "--model", m, "--input", s.path + "/XT.npy", "--columns", s.path + "/columns.txt", "--decisions", s.path + "/dt.csv"])
        XCTAssertEqual(transposed.status, 1)
        XCTAssertTrue(transposed.stderr.contains("looks transposed"), transposed.stderr)
        XCTAssertFalse(FileManager.default.fileExists(atPath: s.path + "/dt.csv"))
    }

    /// The same NumPy round trip on small generated data (no real data needed; skips only without NumPy).
    func testNumPyRoundTripOnGeneratedData() throws {
        let s = Scratch()
        XCTAssertEqual(try CLI.run(["generate", "--out", s.path + "/data", "--train", "200", "--test", "80", "--seed", "4"]).status, 0)
        XCTAssertEqual(try CLI.run(["train", "--data", s.path + "/data", "--model", s.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        try roundTrip(data: s.path + "/data", model: s.path + "/m.json", in: s)
    }

    /// Training from MediaEval matrices: an .npy X with other networks' columns (named by --columns) and an
    /// .npy y give the same model as the CSV files (rows are by position, so no ChallengeID-keyed groups).
    func testTrainOnNPYWithColumnsFileGivesTheCSVModel() throws {
        let data = try jamendo()
        let s = Scratch()
        let make = """
        import sys, csv, numpy as np
        x = list(csv.reader(open(sys.argv[1]))); y = list(csv.reader(open(sys.argv[2])))
        np.save(sys.argv[3] + '/X.npy', np.array([[float(c) for c in r[1:]] for r in x[1:]]))
        np.save(sys.argv[3] + '/y.npy', np.array([[c == '1' for c in r[1:]] for r in y[1:]]))
        open(sys.argv[3] + '/columns.txt', 'w').write('\\n'.join(x[0][1:]) + '\\n')
        """
        guard let r = try numpy(make, [data + "/train_X.csv", data + "/train_y.csv", s.path]) else { throw XCTSkip("NumPy is absent (pip install numpy)") }
        XCTAssertEqual(r.status, 0, r.stderr)
        let common = ["--labels", data + "/labels.csv", "--no-groups", "--learner", "logistic", "--folds", "0", "--margin", "-1", "--quiet"]
        let csv = try CLI.run(["train", "--train-x", data + "/train_X.csv", "--train-y", data + "/train_y.csv", "--model", s.path + "/c.json"] + common)
        XCTAssertEqual(csv.status, 0, csv.stderr)
        let npy = try CLI.run(["train", "--train-x", s.path + "/X.npy", "--train-y", s.path + "/y.npy", "--columns", s.path + "/columns.txt",
                               "--model", s.path + "/n.json"] + common)
        XCTAssertEqual(npy.status, 0, npy.stderr)
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: s.path + "/n.json")), try Data(contentsOf: URL(fileURLWithPath: s.path + "/c.json")))
        let none = try CLI.run(["train", "--train-x", s.path + "/X.npy", "--train-y", s.path + "/y.npy", "--model", s.path + "/x.json"] + common)
        XCTAssertEqual(none.status, 1)
        XCTAssertTrue(none.stderr.contains("--columns FILE"), none.stderr)
    }

    /// Without NumPy or real data: predict writes real `.npy` bytes (bool decisions), which evaluate reads.
    func testNPYOutputsAreNPYAndReadBackWithoutNumPy() throws {
        let s = TinyData.folder()
        XCTAssertEqual(try CLI.run(["train", "--data", s.path, "--model", s.path + "/m.json", "--learner", "thresholds", "--quiet"]).status, 0)
        let r = try CLI.run(["predict", "--model", s.path + "/m.json", "--input", s.path + "/train_X.csv",
                             "--decisions", s.path + "/d.npy", "--scores", s.path + "/p.npy", "--quiet"])
        XCTAssertEqual(r.status, 0, r.stderr)
        let d = try Data(contentsOf: URL(fileURLWithPath: s.path + "/d.npy"))
        XCTAssertEqual(Array(d.prefix(6)), [0x93, 0x4E, 0x55, 0x4D, 0x50, 0x59], "an .npy, not CSV text")
        XCTAssertTrue(String(decoding: d.prefix(80), as: UTF8.self).contains("'descr': '|b1'"))
        XCTAssertTrue(String(decoding: d.prefix(80), as: UTF8.self).contains("'shape': (3, 3)"))
        let e = try CLI.run(["evaluate", "--truth", s.path + "/train_y.csv", "--decisions", s.path + "/d.npy", "--scores", s.path + "/p.npy"])
        XCTAssertEqual(e.status, 0, e.stderr)
    }
}
