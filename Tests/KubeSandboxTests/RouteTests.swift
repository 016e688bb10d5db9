import Testing

@testable import KubeSandbox

@Suite struct RouteTests {
    @Test(arguments: [
        ("/version", Route.version),
        ("/api", Route.coreVersions),
        ("/apis", Route.groups),
        ("/apis/example.com", Route.group("example.com")),
        ("/api/v1", Route.resourceList(group: "", version: "v1")),
        ("/api/v1/namespaces", Route.resource(group: "", version: "v1", plural: "namespaces", namespace: nil, name: nil, subresource: nil)),
        ("/api/v1/namespaces/team", Route.resource(group: "", version: "v1", plural: "namespaces", namespace: nil, name: "team", subresource: nil)),
        ("/api/v1/namespaces/team/status", Route.resource(group: "", version: "v1", plural: "namespaces", namespace: nil, name: "team", subresource: "status")),
        ("/api/v1/namespaces/team/configmaps", Route.resource(group: "", version: "v1", plural: "configmaps", namespace: "team", name: nil, subresource: nil)),
        ("/apis/example.com/v1/namespaces/d/widgets/w/status", Route.resource(group: "example.com", version: "v1", plural: "widgets", namespace: "d", name: "w", subresource: "status")),
        ("/apis/example.com/v1/widgets", Route.resource(group: "example.com", version: "v1", plural: "widgets", namespace: nil, name: nil, subresource: nil)),
        ("/openapi/v3", Route.openAPIRoot),
        ("/openapi/v3/apis/example.com/v1", Route.openAPIDocument(group: "example.com", version: "v1")),
        ("/sandbox/faults/compact", Route.admin(["faults", "compact"])),
        ("/api/v1/namespaces/a/b/c/d/e", Route.unknown),
        ("/nothing", Route.unknown),
    ])
    func pathsRouteAsKubeApiserverLaysThemOut(path: String, route: Route) {
        #expect(Route(path: path) == route)
    }

    @Test func queriesDecodeLikeGo() {
        let query = Query("labelSelector=app+in+%28a%2Cb%29&watch=1&limit=")
        #expect(query["labelSelector"] == "app in (a,b)")
        #expect(query.flag("watch"))
        #expect(query["limit"] == "")
        #expect(query["missing"] == nil)
    }

    @Test func aggregatedDiscoveryIsChosenFromTheAcceptHeader() {
        let kubectl = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json"
        #expect(Discovery.aggregatedVersion(accept: kubectl) == "v2")
        #expect(Discovery.aggregatedVersion(accept: "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList") == "v2beta1")
        #expect(Discovery.aggregatedVersion(accept: "application/json") == nil)
    }

    @Test func openAPIOffersAPatchWithFieldValidationForEveryPatchableType() throws {
        let store = makeStore()
        _ = try installWidgets(store)
        let document = OpenAPI.document(store.catalog, group: "example.com", version: "v1")
        let patch = document["paths"]?["/apis/example.com/v1/namespaces/{namespace}/widgets/{name}"]?["patch"]
        #expect(patch?["x-kubernetes-group-version-kind"]?["kind"] == .string("Widget"))
        #expect(patch?["parameters"]?.arrayValue?.contains { $0["name"] == .string("fieldValidation") } == true)
        #expect(OpenAPI.root(store.catalog)["paths"]?["apis/example.com/v1"] != nil)
    }
}
