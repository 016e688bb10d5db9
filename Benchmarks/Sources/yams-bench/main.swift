import Foundation
import Yams

// Times Yams on the file named by the first argument and prints one line per measurement:
// `<name> <seconds>`. yaml-bench starts this program; Yams cannot share its process.
let path = CommandLine.arguments[1]
let repetitions = CommandLine.arguments.count > 2 ? Int(CommandLine.arguments[2]) ?? 1 : 1
let text = try String(contentsOfFile: path, encoding: .utf8)

func best(_ body: () throws -> Void) rethrows -> Double {
    var fastest = Double.infinity
    for _ in 0..<repetitions {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        fastest = min(fastest, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
    }
    return fastest
}

var documents = 0
let compose = try best {
    documents = 0
    for _ in try Yams.compose_all(yaml: text) { documents += 1 }
}
print("yams-compose \(compose) \(documents)")
let load = try best {
    documents = 0
    for _ in try Yams.load_all(yaml: text) { documents += 1 }
}
print("yams-load \(load) \(documents)")
