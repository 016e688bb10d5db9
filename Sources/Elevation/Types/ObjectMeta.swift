import Foundation

/// The part of Kubernetes' `metav1.ObjectMeta` that Elevator reads and writes.
///
/// Unknown metadata fields (managedFields, ownerReferences, ...) are ignored when decoding, so an
/// object straight from the API server decodes. Timestamps are RFC 3339 strings on the wire.
public struct ObjectMeta: Hashable, Sendable, Codable {
    public var name: String
    public var namespace: String?
    public var uid: String?
    public var generation: Int64?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var creationTimestamp: Date?
    public var deletionTimestamp: Date?
    public var resourceVersion: String?
    public var finalizers: [String]?

    /// Metadata with the given fields; the rest stay unset.
    public init(
        name: String, namespace: String? = nil, uid: String? = nil, generation: Int64? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil,
        creationTimestamp: Date? = nil, deletionTimestamp: Date? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.generation = generation
        self.labels = labels
        self.annotations = annotations
        self.creationTimestamp = creationTimestamp
        self.deletionTimestamp = deletionTimestamp
    }

    private enum CodingKeys: String, CodingKey {
        case name, namespace, uid, generation, labels, annotations, creationTimestamp, deletionTimestamp
        case resourceVersion, finalizers
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? ""
        namespace = try container.decodeIfPresent(String.self, forKey: .namespace)
        uid = try container.decodeIfPresent(String.self, forKey: .uid)
        generation = try container.decodeIfPresent(Int64.self, forKey: .generation)
        labels = try container.decodeIfPresent([String: String].self, forKey: .labels)
        annotations = try container.decodeIfPresent([String: String].self, forKey: .annotations)
        creationTimestamp = try container.decodeTimestamp(forKey: .creationTimestamp)
        deletionTimestamp = try container.decodeTimestamp(forKey: .deletionTimestamp)
        resourceVersion = try container.decodeIfPresent(String.self, forKey: .resourceVersion)
        finalizers = try container.decodeIfPresent([String].self, forKey: .finalizers)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encodeIfPresent(namespace, forKey: .namespace)
        try container.encodeIfPresent(uid, forKey: .uid)
        try container.encodeIfPresent(generation, forKey: .generation)
        try container.encodeIfPresent(labels, forKey: .labels)
        try container.encodeIfPresent(annotations, forKey: .annotations)
        try container.encodeTimestamp(creationTimestamp, forKey: .creationTimestamp)
        try container.encodeTimestamp(deletionTimestamp, forKey: .deletionTimestamp)
        try container.encodeIfPresent(resourceVersion, forKey: .resourceVersion)
        try container.encodeIfPresent(finalizers, forKey: .finalizers)
    }
}
