import YAML

// An Event writes its own JSON text (`JSONTextEncodable`): the controller creates one with every
// grant. Each writer lists the same fields as the type's `Codable` conformance, in key order;
// `JSONTextEncodingTests` (ElevatorControllerTests) checks them against it.

extension Event: JSONTextEncodable {
    /// Writes the Event as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        try text.object { text in
            text.member("action", action)
            text.member("apiVersion", apiVersion)
            text.member("eventTime", eventTime.description)
            text.member("kind", kind)
            try text.member("metadata", metadata)
            text.member("note", note)
            text.member("reason", reason)
            try text.member("regarding", regarding)
            try text.member("related", related)
            text.member("reportingController", reportingController)
            text.member("reportingInstance", reportingInstance)
            try text.member("series", series)
            text.member("type", type)
        }
    }
}

extension Event.Series: JSONTextEncodable {
    /// Writes the series as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("count", Int64(count))
            text.member("lastObservedTime", lastObservedTime.description)
        }
    }
}

extension ObjectReference: JSONTextEncodable {
    /// Writes the reference as its `Codable` conformance encodes it.
    public func writeJSON(into text: inout JSONText) throws {
        text.object { text in
            text.member("apiVersion", apiVersion)
            text.member("fieldPath", fieldPath)
            text.member("kind", kind)
            text.member("name", name)
            text.member("namespace", namespace)
            text.member("resourceVersion", resourceVersion)
            text.member("uid", uid)
        }
    }
}

extension ObjectMeta: JSONTextEncodable {
    /// Writes the metadata as its `Codable` conformance encodes it; owner references and managed
    /// fields (rare in what this client writes) through `JSONValueEncoder`.
    public func writeJSON(into text: inout JSONText) throws {
        try text.object { text in
            text.member("annotations", annotations)
            text.member("creationTimestamp", creationTimestamp?.description)
            text.member("deletionGracePeriodSeconds", deletionGracePeriodSeconds)
            text.member("deletionTimestamp", deletionTimestamp?.description)
            text.member("finalizers", finalizers)
            text.member("generateName", generateName)
            text.member("generation", generation)
            text.member("labels", labels)
            try text.member("managedFields", encoding: managedFields)
            text.member("name", name)
            text.member("namespace", namespace)
            try text.member("ownerReferences", encoding: ownerReferences)
            text.member("resourceVersion", resourceVersion)
            text.member("uid", uid)
        }
    }
}
