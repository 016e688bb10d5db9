import Foundation
import Testing

@testable import Kube

@Suite struct EndpointTests {
    static let widgets = ResourceType(group: "example.com", version: "v1alpha1", plural: "widgets", kind: "Widget", namespaced: true)
    static let nodes = ResourceType(group: "", version: "v1", plural: "nodes", kind: "Node", namespaced: false)

    @Test(arguments: [
        (Endpoint(widgets, namespace: "team-a"), "/apis/example.com/v1alpha1/namespaces/team-a/widgets"),
        (Endpoint(widgets), "/apis/example.com/v1alpha1/widgets"),
        (Endpoint(nodes, namespace: "ignored"), "/api/v1/nodes"),
        (Endpoint(Lease.resourceType, namespace: "kube-system"), "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases"),
    ])
    func collectionPathsFollowGroupAndScope(endpoint: Endpoint, path: String) {
        #expect(endpoint.collectionPath == path)
        #expect(endpoint.get("x").path == path + "/x")
        #expect(endpoint.get("x", subresource: "status").path == path + "/x/status")
    }

    @Test func listCarriesPaginationAndSelectors() {
        let request = Endpoint(Self.widgets, namespace: "a").list(
            ListOptions(labelSelector: "app in (a,b),tier!=db", fieldSelector: "metadata.name=w", limit: 100,
                resourceVersion: "0", resourceVersionMatch: "NotOlderThan"))
        #expect(request.method == .get)
        #expect(request.verb == .list)
        #expect(request.pathAndQuery == "/apis/example.com/v1alpha1/namespaces/a/widgets"
            + "?labelSelector=app%20in%20%28a%2Cb%29%2Ctier%21%3Ddb&fieldSelector=metadata.name%3Dw&limit=100"
            + "&resourceVersion=0&resourceVersionMatch=NotOlderThan")
        #expect(request.isIdempotent)
    }

    @Test func continuedListDropsResourceVersion() {
        let request = Endpoint(Self.widgets).list(ListOptions(limit: 500, continueToken: "tok/en=", resourceVersion: "0"))
        #expect(request.queryValue("continue") == "tok/en=")
        #expect(request.queryValue("resourceVersion") == nil)
        #expect(request.pathAndQuery.hasSuffix("limit=500&continue=tok%2Fen%3D"))
    }

    @Test func watchAsksForBookmarksAndTimeout() {
        let request = Endpoint(Self.widgets, namespace: "a").watch(WatchOptions(resourceVersion: "17", timeoutSeconds: 290))
        #expect(request.verb == .watch)
        #expect(request.pathAndQuery == "/apis/example.com/v1alpha1/namespaces/a/widgets?watch=1&resourceVersion=17&allowWatchBookmarks=true&timeoutSeconds=290")
    }

    @Test func streamingListRequiresNotOlderThan() {
        let request = Endpoint(Self.nodes).watch(WatchOptions(sendInitialEvents: true))
        #expect(request.queryValue("sendInitialEvents") == "true")
        #expect(request.queryValue("resourceVersionMatch") == "NotOlderThan")
        #expect(request.queryValue("resourceVersion") == "")
    }

    @Test func applyIsAPatchWithApplyContentTypeForceAndStrictValidation() {
        let body = Data(#"{"apiVersion":"example.com/v1alpha1","kind":"Widget","metadata":{"name":"w"}}"#.utf8)
        let request = Endpoint(Self.widgets, namespace: "a").apply("w", body, fieldManager: "elevator")
        #expect(request.method == .patch)
        #expect(request.verb == .apply)
        #expect(request.headers["Content-Type"] == "application/apply-patch+yaml")
        #expect(request.pathAndQuery == "/apis/example.com/v1alpha1/namespaces/a/widgets/w?fieldManager=elevator&force=true&fieldValidation=Strict")
        #expect(request.body == body)
        #expect(request.isIdempotent)
        let status = Endpoint(Self.widgets, namespace: "a").apply("w", body, fieldManager: "elevator", force: false, subresource: "status")
        #expect(status.path.hasSuffix("/widgets/w/status"))
        #expect(status.queryValue("force") == nil)
    }

    @Test func forceIsNeverSentOnNonApplyPatches() {
        let options = WriteOptions(fieldManager: "m", force: true)
        let merge = Endpoint(Self.widgets, namespace: "a").patch("w", .merge, Data("{}".utf8), options: options)
        #expect(merge.queryValue("force") == nil)
        #expect(merge.headers["Content-Type"] == "application/merge-patch+json")
        #expect(!merge.isIdempotent)
        let json = Endpoint(Self.widgets, namespace: "a").patch("w", .json, Data("[]".utf8))
        #expect(json.headers["Content-Type"] == "application/json-patch+json")
        let status = Endpoint(Self.widgets, namespace: "a").patchStatus("w", Data("{}".utf8))
        #expect(status.path == "/apis/example.com/v1alpha1/namespaces/a/widgets/w/status")
        #expect(status.headers["Content-Type"] == "application/merge-patch+json")
    }

    @Test func createAndReplace() {
        let endpoint = Endpoint(Self.widgets, namespace: "a")
        let create = endpoint.create(Data("{}".utf8), options: WriteOptions(fieldManager: "m", dryRun: true))
        #expect(create.method == .post)
        #expect(create.path == "/apis/example.com/v1alpha1/namespaces/a/widgets")
        #expect(create.pathAndQuery.hasSuffix("?dryRun=All&fieldManager=m&fieldValidation=Strict"))
        #expect(!create.isIdempotent)
        let replace = endpoint.replace("w", Data("{}".utf8))
        #expect(replace.method == .put)
        #expect(replace.path.hasSuffix("/widgets/w"))
        #expect(replace.headers["Content-Type"] == "application/json")
    }

    @Test func deleteCarriesUIDPreconditionAndPropagation() throws {
        let request = Endpoint(Self.nodes).delete(
            "n1", options: DeleteOptions(preconditionUID: "u-\"1", propagationPolicy: .foreground))
        #expect(request.method == .delete)
        #expect(request.path == "/api/v1/nodes/n1")
        let body = try JSONSerialization.jsonObject(with: try #require(request.body)) as? [String: Any]
        #expect(body?["kind"] as? String == "DeleteOptions")
        #expect((body?["preconditions"] as? [String: String])?["uid"] == "u-\"1")
        #expect(body?["propagationPolicy"] as? String == "Foreground")
        let bare = Endpoint(Self.nodes).delete("n1")
        #expect(String(decoding: try #require(bare.body), as: UTF8.self) == #"{"apiVersion":"v1","kind":"DeleteOptions"}"#)
    }

    @Test func namesArePercentEncodedAsPathSegments() {
        #expect(Endpoint(Self.nodes).get("a b/c").path == "/api/v1/nodes/a%20b%2Fc")
    }
}
