// libFuzzer harness: the .npy decoder (in memory). Only a matrix or a `DataError` may come out; a matrix
// must have rows × columns values. Re-encoding a decoded float matrix and decoding it again must give it back.

import Foundation
import TagStackModel

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzNPY(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    do {
        let m = try NPY.decode(bytes, path: "fuzz.npy")
        precondition(m.values.count == m.rows * m.columns)
        let again = try NPY.decode(NPY.encode(m), path: "again.npy")
        precondition(again.rows == m.rows && again.columns == m.columns)
        precondition(zip(again.values, m.values).allSatisfy { $0.bitPattern == $1.bitPattern }, "round trip")
    } catch is DataError {
    } catch { fatalError("NPY.decode threw a non-DataError: \(error)") }
    return 0
}
