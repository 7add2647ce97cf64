import Foundation
import Testing
@testable import ScenarioModel

/// scenarios/scenario.schema.json must describe exactly the keys the decoder accepts, and every shipped
/// scenario must validate.
@Suite struct SchemaTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: Self.root.appendingPathComponent("scenarios/scenario.schema.json"))
        return try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    func keys(_ object: Any?) -> Set<String> {
        Set(((object as? [String: Any])?["properties"] as? [String: Any])?.keys.map { $0 } ?? [])
    }

    @Test func schemaKeysMatchTheDecoder() throws {
        let s = try schema()
        let defs = try #require(s["definitions"] as? [String: Any])
        let known = ScenarioDecoder.knownKeys
        #expect(keys(s) == Set(known[""]!))
        let props = try #require(s["properties"] as? [String: Any])
        #expect(keys(props["file"]) == Set(known["file"]!))
        #expect(keys(props["server"]) == Set(known["server"]!))
        #expect(keys(props["network"]) == Set(known["network"]!))
        #expect(keys(props["output"]) == Set(known["output"]!))
        #expect(keys(props["protocol"]) == Set(known["protocol"]!))
        #expect(keys(defs["peerClass"]) == Set(known["peers[]"]!))
        #expect(keys(defs["arrival"]) == Set(known["peers[].arrival"]!))
        #expect(keys(defs["distributionObject"]) == Set(known["distribution"]!))
        #expect(s["additionalProperties"] as? Bool == false)
    }

    @Test func shippedScenariosValidate() throws {
        let dir = Self.root.appendingPathComponent("scenarios")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".json") && $0 != "scenario.schema.json" }.sorted()
        #expect(!files.isEmpty)
        for file in files {
            let result = ScenarioLoader.load(path: dir.appendingPathComponent(file).path)
            #expect(result.failureLines == [], "\(file)")
        }
    }
}
