import Elevation
@testable import ElevatorController
import Foundation
import Kube
import Testing
import YAML

/// `CacheCompaction`: a cached object keeps one copy of what its two metadata values and other
/// cached objects share, and nothing of `kubectl apply`'s copy of the object.
@Suite struct CacheCompactionTests {
    @Test func aCachedRequestTakesOneCopyOfItsMetadataAndConstants() throws {
        let request = try Self.decode(RequestObject.self, Self.request(name: "inc-1", uid: UUID().uuidString))
        #expect(request.value.metadata.uid == request.metadata.uid)
        #expect(storage(request.value.metadata.uid) == storage(request.metadata.uid))
        #expect(storage(request.value.metadata.annotations?["team"]) == storage(request.metadata.annotations?["team"]))
        #expect(storage(request.value.apiVersion) == storage(ElevationAPI.apiVersion))
        #expect(storage(request.value.kind) == storage(RequestObject.resourceType.kind))
    }

    @Test func aRequestDerivesItsKubeMetadataFromItsOwn() throws {
        let uid = UUID().uuidString
        let request = try Self.decode(RequestObject.self, Self.request(name: "inc-5", uid: uid))
        #expect(request.derivesMetadata)
        let metadata = request.metadata
        #expect(metadata.name == "inc-5" && metadata.namespace == "shop" && metadata.uid == uid)
        #expect(metadata.resourceVersion == "17" && metadata.generation == 1)
        #expect(metadata.creationTimestamp == Time(rfc3339: "2026-12-05T10:00:00Z"))
        #expect(metadata.finalizers == ["elevator.dev/grant"])
        #expect(metadata.annotations == ["team": "payments-oncall-rotation"])
        #expect(MemoryLayout<RequestObject>.size < MemoryLayout<ElevationRequest>.size + 16)
    }

    @Test func metadataTheValueCannotGiveBackIsKept() throws {
        // Owner references (an approval Elevator adopted) are not part of Elevation's metadata.
        let approval = try Self.decode(ApprovalObject.self, #"""
            {"apiVersion":"elevator.dev/v1alpha1","kind":"ElevationApproval",
             "metadata":{"name":"alice-approves","namespace":"shop","uid":"a-1","resourceVersion":"9",
              "ownerReferences":[{"apiVersion":"elevator.dev/v1alpha1","kind":"ElevationRequest","name":"inc-5","uid":"r-1"}]},
             "spec":{"request":"inc-5","requestUID":"r-1","decision":"Approve","approver":{"user":"alice@example.com"}}}
            """#)
        #expect(!approval.derivesMetadata)
        #expect(approval.metadata.ownerReferences?.map(\.uid) == ["r-1"])
        #expect(approval.metadata.uid == "a-1" && approval.value.metadata.uid == "a-1")
        // Nor is `generateName`.
        let request = try Self.decode(
            RequestObject.self,
            Self.request(name: "inc-6", uid: "u-6").replacingOccurrences(of: #""name":"inc-6","#, with: #""name":"inc-6","generateName":"inc-","#))
        #expect(!request.derivesMetadata)
        #expect(request.metadata.generateName == "inc-" && request.metadata.name == "inc-6")
    }

    @Test func requestsShareEqualRequestersSubjectsAndRules() throws {
        let first = try Self.decode(RequestObject.self, Self.request(name: "inc-2", uid: UUID().uuidString))
        let second = try Self.decode(RequestObject.self, Self.request(name: "inc-3", uid: UUID().uuidString))
        #expect(first.value.spec == second.value.spec)
        #expect(storage(first.value.spec.requester.user) == storage(second.value.spec.requester.user))
        #expect(storage(first.value.spec.requester.groups) == storage(second.value.spec.requester.groups))
        #expect(storage(first.value.spec.rules) == storage(second.value.spec.rules))
        #expect(storage(first.value.spec.policy) == storage(second.value.spec.policy))
        // Unique fields stay unique.
        #expect(first.value.metadata.uid != second.value.metadata.uid)
    }

    @Test func kubectlApplysCopyOfTheObjectIsNotCached() throws {
        let request = try Self.decode(RequestObject.self, Self.request(name: "inc-4", uid: UUID().uuidString))
        #expect(request.metadata.annotations == ["team": "payments-oncall-rotation"])
        #expect(request.value.metadata.annotations == ["team": "payments-oncall-rotation"])
        #expect(request.metadata.managedFields == nil)

        let mesh = try Self.decode(MeshObject.self, #"""
            {"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",
             "metadata":{"name":"baseline","namespace":"shop","uid":"u-1",
              "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"spec\":{}}","owner":"platform"},
              "managedFields":[{"manager":"kubectl"}]},
             "spec":{"action":"ALLOW"}}
            """#)
        #expect(mesh.value.json["metadata"]?["annotations"] == .object(["owner": "platform"]))
        #expect(mesh.value.json["metadata"]?["managedFields"] == nil)
        #expect(mesh.value.json["spec"]?["action"] == "ALLOW")
        #expect(mesh.metadata.annotations == ["owner": "platform"])
    }

    @Test func aManagedMeshObjectIsKeptAsTextAndReadsAsTheTreeItWas() throws {
        let document = #"""
            {"apiVersion":"security.istio.io/v1","kind":"AuthorizationPolicy",
             "metadata":{"name":"elevator-inc-1","namespace":"shop","uid":"u-2","resourceVersion":"41",
              "labels":{"app.kubernetes.io/managed-by":"elevator","elevator.dev/request":"inc-1"},
              "annotations":{"elevator.dev/request-uid":"r-1","elevator.dev/expires-at":"2026-12-06T15:15:13Z",
               "kubectl.kubernetes.io/last-applied-configuration":"{}"},
              "managedFields":[{"manager":"elevator","fieldsV1":{"f:spec":{"f:action":{}}}}]},
             "spec":{"action":"ALLOW","rules":[{"to":[{"operation":{"ports":["8080"],"paths":["/a\"b"]}}]}]}}
            """#
        var expected = try Self.decode(JSONValue.self, document)
        expected["metadata"]?["managedFields"] = nil
        expected["metadata"]?["annotations"]?[CacheCompaction.lastAppliedAnnotation] = nil

        // Cut from the document by the tape decoder, and through a tree (any other decoder).
        for mesh in [try Self.decode(MeshObject.self, document), try JSONValueDecoder().decode(MeshObject.self, from: try Self.decode(JSONValue.self, document))] {
            #expect(mesh.value.keepsText)
            #expect(mesh.value.json == expected)
            #expect(mesh.value.isManaged)
            #expect(mesh.value.managedRequestUID == "r-1")
            #expect(mesh.value.expiresAt == RFC3339.parse("2026-12-06T15:15:13Z"))
            #expect(mesh.value.apiVersion == "security.istio.io/v1")
            #expect(mesh.value.kind == "AuthorizationPolicy")
            #expect(mesh.metadata.name == "elevator-inc-1")
            #expect(mesh.identity == ObjectIdentity(namespace: "shop", name: "elevator-inc-1", resourceVersion: "41"))
        }

        // Stamped with its resource's apiVersion and kind, it reads with them.
        var stamped = try Self.decode(MeshObject.self, document)
        stamped.value.stamp(apiVersion: "security.istio.io/v1beta1", kind: "AuthorizationPolicy")
        #expect(stamped.value.json["apiVersion"] == "security.istio.io/v1beta1")
        #expect(stamped.value.apiVersion == "security.istio.io/v1beta1")

        // The label alone does not make the object Elevator's to manage; someone else's stays a tree.
        let labelled = try Self.decode(MeshObject.self, document.replacingOccurrences(of: #""elevator.dev/request-uid":"r-1","#, with: ""))
        #expect(labelled.value.isManaged && labelled.value.managedRequestUID == nil)
        let foreign = try Self.decode(MeshObject.self, document.replacingOccurrences(of: #"managed-by":"elevator""#, with: #"managed-by":"helm""#))
        #expect(!foreign.value.keepsText && !foreign.value.isManaged && foreign.value.managedRequestUID == nil && foreign.value.expiresAt == nil)
        #expect(foreign.value.json["metadata"]?["managedFields"] == nil)
    }

    /// A mesh object is copied from the document member by member, less `managedFields` and the
    /// last-applied annotation: whatever the spelling, it reads as the tree less those, through
    /// the tape and through any other decoder, with the same label and annotations kept.
    @Test(arguments: [
        #"{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}"}},"spec":{}}"#,
        #"{"metadata":{"annotations":{"a":"1","kubectl.kubernetes.io/last-applied-configuration":"{}","b":"2","kubectl.kubernetes.io/last-applied-configuration":"x"}}}"#,
        #"{"metadata":{"annotations":{"kubectl.kubernetes.io\/last-applied-configuration":"{}","elevator.dev/request-uid":"r"},"labels":{"app.kubernetes.io/managed-by":"elevator"}}}"#,
        #"{ "kind" : "K" , "metadata" : { "managedFields" : [ {} ] , "labels" : { "app.kubernetes.io/managed-by" : "elevator" } , "name" : "n" } , "spec" : { "a" : [ 1 , 2.5 , -3e-2 , "x" ] } }"#,
        #"{"metadata":null,"spec":{"x":null}}"#, #"{"metadata":{},"apiVersion":null,"kind":5}"#, #"{}"#,
        #"{"metadata":{"labels":{"app.kubernetes.io/managed-by":7},"annotations":{"elevator.dev/request-uid":["r"]}}}"#,
        #"{"metadata":{"labels":{"app.kubernetes.io/managed-by":"x","app.kubernetes.io/managed-by":"elevator"},"annotations":"none","managedFields":null}}"#,
        #"{"metadata":{"labels":{"app.kubernetes.io/managed-by":"elevator"},"annotations":{"elevator.dev/expires-at":"2026-12-06T15:15:13Z","elevator.dev/request-uid":"r\u00e9"}},"spec":{"k\u00e9y":"v\n"}}"#,
    ])
    func aMeshObjectReadsAsItsTreeWithoutWhatIsNotCached(document: String) throws {
        var expected = try Self.decode(JSONValue.self, document)
        expected["metadata"]?["managedFields"] = nil
        if case .object(var annotations)? = expected["metadata"]?["annotations"] {
            annotations[CacheCompaction.lastAppliedAnnotation] = nil
            expected["metadata"]?["annotations"] = .object(annotations)
        }
        let viaTape = try Self.decode(MeshObjectValue.self, document)
        let viaTree = try JSONValueDecoder().decode(MeshObjectValue.self, from: try Self.decode(JSONValue.self, document))
        let fromTree = MeshObjectValue(json: try Self.decode(JSONValue.self, document))
        for mesh in [viaTape, viaTree] {
            #expect(mesh.json == expected)
            #expect(mesh.isManaged == fromTree.isManaged)
            #expect(mesh.managedRequestUID == fromTree.managedRequestUID)
            #expect(mesh.expiresAt == fromTree.expiresAt)
            #expect(mesh.keepsText == mesh.isManaged)
        }
    }

    /// The drift check reads a managed object's `spec`, labels and annotations; of an object kept
    /// as text only those are built (`driftView`), and they are what the whole tree holds.
    @Test(arguments: [
        #"{"metadata":{"name":"a","labels":{"app.kubernetes.io/managed-by":"elevator","x":"1"},"annotations":{"elevator.dev/request-uid":"r","n":"2"}},"spec":{"action":"ALLOW","rules":[{"to":[{"operation":{"ports":["80"]}}]}]},"status":{"x":1}}"#,
        #"{"metadata":{"name":"a","labels":{"app.kubernetes.io/managed-by":"elevator"},"annotations":{"elevator.dev/request-uid":"r"}}}"#,
        #"{"metadata":{"name":"a","labels":{"app.kubernetes.io/managed-by":"elevator"},"annotations":{"elevator.dev/request-uid":"r"}},"spec":null}"#,
        #"{"kind":"K","spec":{},"metadata":{"labels":{"app.kubernetes.io/managed-by":"elevator"},"annotations":{"elevator.dev/request-uid":"r","note":"{\"a\":1}"}}}"#,
    ])
    func aManagedObjectsDriftViewIsWhatTheWholeTreeHoldsOfIt(document: String) throws {
        let mesh = try Self.decode(MeshObject.self, document)
        #expect(mesh.value.keepsText)
        let whole = mesh.value.json
        var projected: [String: JSONValue] = [:]
        projected["spec"] = whole["spec"]
        if let metadata = whole["metadata"] {
            var kept: [String: JSONValue] = [:]
            kept["labels"] = metadata["labels"]
            kept["annotations"] = metadata["annotations"]
            projected["metadata"] = .object(kept)
        }
        #expect(mesh.value.driftView == .object(projected))
        // And the backend judges both alike, for the object as it is and for a desired one that differs.
        let backend = IstioBackend()
        var desired = whole
        #expect(backend.matches(live: mesh.value.driftView, desired: desired) == backend.matches(live: whole, desired: desired))
        desired["spec"] = .object(["action": .string("DENY")])
        desired["metadata"]?["labels"]?["y"] = .string("2")
        #expect(backend.matches(live: mesh.value.driftView, desired: desired) == backend.matches(live: whole, desired: desired))
        #expect(!backend.matches(live: mesh.value.driftView, desired: desired))
    }

    @Test func aCachedObjectsIdentityIsItsMetadatas() throws {
        let derived = try Self.decode(RequestObject.self, Self.request(name: "inc-5", uid: "u-5"))
        #expect(derived.derivesMetadata)
        let withOwner = try Self.decode(
            RequestObject.self,
            Self.request(name: "inc-6", uid: "u-6").replacingOccurrences(
                of: #""finalizers""#, with: #""ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o","uid":"c-1"}],"finalizers""#))
        #expect(!withOwner.derivesMetadata)
        for object in [derived, withOwner] {
            let metadata = object.metadata
            #expect(object.identity == ObjectIdentity(namespace: metadata.namespace, name: metadata.name, resourceVersion: metadata.resourceVersion))
            #expect(object.identity.resourceVersion == "17")
        }
    }

    /// The tape decoder reads a request's Kube metadata only when the request's own metadata
    /// cannot give it back (`MetadataShape`); every other decoder reads it whole and compares.
    /// Both must keep the same cached object, whichever members the metadata has.
    @Test func aRequestReadWithoutItsKubeMetadataIsTheObjectReadWithIt() throws {
        let extras: [(String, Bool)] = [
            ("", true),
            (#""ownerReferences":[{"apiVersion":"v1","kind":"ConfigMap","name":"o","uid":"c-1"}],"#, false),
            (#""ownerReferences":null,"#, true),
            (#""ownerReferences":[],"#, false),
            (#""generateName":"inc-","#, false),
            (#""deletionGracePeriodSeconds":0,"deletionTimestamp":"2026-12-05T11:00:00.75Z","#, false),
            (#""deletionTimestamp":"2026-12-05T11:00:00.75Z","labels":{"a":"b"},"#, true),
            (#""managedFields":[{"manager":"elevator","operation":"Apply","fieldsV1":{"f:spec":{}}}],"#, true),
            (#""selfLink":"/x","#, true),
        ]
        for (extra, derives) in extras {
            let json = Self.request(name: "inc-7", uid: "u-7").replacingOccurrences(of: #""finalizers""#, with: extra + #""finalizers""#)
            let fromTape = try Self.decode(RequestObject.self, json)
            let fromTree = try JSONValueDecoder().decode(RequestObject.self, from: try JSONParser.parse(Array(json.utf8)))
            #expect(fromTape.derivesMetadata == derives, "\(extra)")
            #expect(fromTree.derivesMetadata == derives, "\(extra)")
            #expect(fromTape.metadata == fromTree.metadata, "\(extra)")
            #expect(fromTape.value == fromTree.value, "\(extra)")
            #expect(fromTape.metadata.managedFields == nil)
            #expect(fromTape.metadata.annotations?[CacheCompaction.lastAppliedAnnotation] == nil)
            #expect(fromTape.value.metadata.annotations?[CacheCompaction.lastAppliedAnnotation] == nil)
        }
    }

    @Test func anInternerKeepsAtMostItsCapacity() {
        let interner = Interner<String>(capacity: 2)
        let first = interner.intern(String(repeating: "a", count: 40))
        #expect(storage(interner.intern(String(repeating: "a", count: 40))) == storage(first))
        _ = interner.intern(String(repeating: "b", count: 40))
        let unique = String(repeating: "c", count: 40)
        // Full: an unseen value comes back as it is and is not kept.
        #expect(storage(interner.intern(unique)) == storage(unique))
        #expect(interner.count == 2)
        #expect(storage(interner.intern(String(repeating: "a", count: 40))) == storage(first))
    }

    // MARK: - Support

    /// A request as the API server returns it after `kubectl apply`; strings long enough to be
    /// stored on the heap, so that sharing is visible.
    static func request(name: String, uid: String) -> String {
        #"""
        {"apiVersion":"elevator.dev/v1alpha1","kind":"ElevationRequest",
         "metadata":{"name":"\#(name)","namespace":"shop","uid":"\#(uid)","resourceVersion":"17","generation":1,
          "creationTimestamp":"2026-12-05T10:00:00Z","finalizers":["elevator.dev/grant"],
          "annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"apiVersion\":\"elevator.dev/v1alpha1\"}","team":"payments-oncall-rotation"},
          "managedFields":[{"manager":"kubectl-client-side-apply","operation":"Update"}]},
         "spec":{"policy":"payments-database-debug","requester":{"user":"oncall-engineer@example.com","groups":["payments-oncall"]},
          "subject":{"serviceAccount":{"namespace":"tools","name":"debugger"}},
          "rules":[{"ports":["8080"],"methods":["GET"],"paths":["/admin/queue"]}],
          "duration":"1h","reason":"INC-1234 queue stuck"},
         "status":{"phase":"Expired"}}
        """#
    }

    static func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONValueDecoder().decode(type, fromJSON: Array(json.utf8))
    }
}

/// Where a string's UTF-8 bytes live: equal addresses mean one shared storage.
private func storage(_ string: String?) -> UInt? {
    guard var string else { return nil }
    return string.withUTF8 { UInt(bitPattern: $0.baseAddress) }
}

/// Where an array's elements live.
private func storage<Element>(_ array: [Element]?) -> UInt? {
    array?.withUnsafeBufferPointer { UInt(bitPattern: $0.baseAddress) }
}
