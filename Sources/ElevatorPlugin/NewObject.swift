import Elevation
import Kube

/// A spec of one of Elevator's kinds, with where the kind is served.
protocol CreatableSpec: Codable, Sendable {
    static var resourceType: ResourceType { get }
}

extension ElevationRequestSpec: CreatableSpec {
    static var resourceType: ResourceType { ElevateSession.requests }
}

extension ElevationApprovalSpec: CreatableSpec {
    static var resourceType: ResourceType { ElevateSession.approvals }
}

/// A new Elevator object as sent to the API server. It uses the Kube module's metadata because
/// only that carries `generateName` (the Elevation types model stored objects, which have names).
struct NewObject<Spec: CreatableSpec>: KubeResource {
    static var resourceType: ResourceType { Spec.resourceType }
    var apiVersion = "elevator.dev/v1alpha1"
    var kind = Spec.resourceType.kind
    var metadata: Kube.ObjectMeta
    var spec: Spec

    init(metadata: Kube.ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }
}

/// `authentication.k8s.io/v1` SelfSubjectReview: the API server's answer to "who am I".
struct SelfSubjectReview: KubeResource {
    static var resourceType: ResourceType {
        ResourceType(group: "authentication.k8s.io", version: "v1", plural: "selfsubjectreviews", kind: "SelfSubjectReview", namespaced: false)
    }
    var apiVersion = "authentication.k8s.io/v1"
    var kind = "SelfSubjectReview"
    var metadata = Kube.ObjectMeta()
    var status: ReviewStatus?

    struct ReviewStatus: Codable, Sendable {
        var userInfo: UserInfo?
    }

    struct UserInfo: Codable, Sendable {
        var username: String?
        var groups: [String]?
    }
}
