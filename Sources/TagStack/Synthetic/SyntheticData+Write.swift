// Writing a generated data set in the Mewo layout, all files or none.

import Foundation

extension SyntheticData {
    /// The files `write(to:)` produces, in order. Test files are left out when `testCount` is 0.
    public var fileNames: [String] {
        let split = ["_X.csv", "_y.csv", "_groups.csv"]
        return ["labels.csv"] + split.map { "train" + $0 } + (test.X.rowCount > 0 ? split.map { "test" + $0 } : [])
    }

    /// Every file `write(to:)` may produce, with or without the test split.
    public static let allFileNames: Set<String> = ["labels.csv", "train_X.csv", "train_y.csv", "train_groups.csv",
                                                   "test_X.csv", "test_y.csv", "test_groups.csv"]

    /// Writes `labels.csv`, `train_X.csv`, `train_y.csv`, `train_groups.csv` and the same three for the test
    /// split into `directory`, creating it if needed. The folder's contents are replaced as a set
    /// (`OwnedFolder`): no file of an earlier run stays (`--test 0` leaves no old test split), and a failure
    /// leaves the previous folder as it was. A README (`README.md`, as in the project's `Data/`) is carried over;
    /// a folder holding other files is refused.
    public func write(to out: String) throws {
        let folder = try OwnedFolder(path: out, what: "generate", owns: SyntheticData.allFileNames.contains,
                                     carries: { $0 == "README.md" })
        let directory = folder.staging
        let path = { (name: String) in (directory as NSString).appendingPathComponent(name) }
        var writers: [AtomicFileWriter] = []
        do {
            let labelsWriter = try AtomicFileWriter(path: path("labels.csv"))
            writers.append(labelsWriter)
            try labelsWriter.write(MewoIO.csvRow([""] + labels.tags) + MewoIO.csvRow(["category"] + labels.tagCategories)
                                   + MewoIO.csvRow(["class"] + labels.tagClasses))
            for (name, split) in [("train", train), ("test", test)] where split.X.rowCount > 0 {
                writers.append(try MewoIO.makeFeatureWriter(split.X, path: path(name + "_X.csv")))
                writers.append(try MewoIO.makeLabelMatrixWriter(split.y, path: path(name + "_y.csv")))
                let g = try AtomicFileWriter(path: path(name + "_groups.csv"))
                writers.append(g)
                try g.write(MewoIO.csvRow([MewoIO.idColumn] + split.groups.columns))
                for i in 0..<split.groups.ids.count {
                    try g.write(MewoIO.csvRow([split.groups.ids[i]] + split.groups.values.map { $0[i] }))
                }
            }
        } catch {
            for w in writers { w.abort() }
            throw error
        }
        try commitAll(writers)
        try folder.commit()
    }
}
