// libFuzzer harness: the labels.csv reader, and the y-file reader against the labels it accepted.
//
// The input is split at the first byte 0x00: the part before is labels.csv, the part after (if any) a y file
// read with those labels, aligned to nothing and then to the IDs it carries. Only values or `DataError`s may
// come out; a label set that is accepted must satisfy LabelSet's invariants (unique, non-empty tags, one
// category and class each).

import Foundation
import TagStackModel

let scratch = FuzzScratch(name: "labels")
let scratchY = FuzzScratch(name: "labels-y")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLabels(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let cut = bytes.firstIndex(of: 0) ?? bytes.count
    let labelsPath = scratch.write(Array(bytes[..<cut]))
    let labels: LabelSet
    do { labels = try MewoIO.readLabels(path: labelsPath) }
    catch is DataError { return 0 }
    catch { fatalError("readLabels threw a non-DataError: \(error)") }
    precondition(labels.count > 0 && labels.tagCategories.count == labels.count && labels.tagClasses.count == labels.count)
    precondition(Set(labels.tags).count == labels.count && !labels.tags.contains(""), "tags unique and non-empty")
    precondition(!labels.categories.isEmpty && !labels.classes.isEmpty)
    guard cut < bytes.count else { return 0 }
    let yPath = scratchY.write(Array(bytes[(cut + 1)...]))
    do {
        let y = try MewoIO.readLabelMatrix(path: yPath, labels: labels, alignTo: nil)
        precondition(y.values.allSatisfy { $0 <= 1 })
        _ = try MewoIO.readLabelMatrix(path: yPath, labels: labels, alignTo: y.ids.reversed())
    } catch is DataError {
    } catch { fatalError("readLabelMatrix threw a non-DataError: \(error)") }
    return 0
}
