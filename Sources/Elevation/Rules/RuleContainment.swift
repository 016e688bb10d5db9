extension AccessRule {
    /// Whether every concrete request (port, method, path) this rule allows is allowed by `outer`.
    ///
    /// Guarantees: sound, property-tested against concrete requests. A field `outer` leaves open
    /// (nil or empty) contains anything; a field `outer` restricts must be restricted here too,
    /// value by value inside it. Each path must lie inside one outer path pattern; a path covered
    /// only by the union of several outer patterns is (conservatively) not contained. Unparseable
    /// paths are never contained.
    public func isInside(_ outer: AccessRule) -> Bool {
        func within(_ inner: [String]?, _ outer: [String]?) -> Bool {
            guard let outer, !outer.isEmpty else { return true }
            guard let inner, !inner.isEmpty else { return false }
            return Set(inner).isSubset(of: Set(outer))
        }
        guard within(ports, outer.ports), within(methods, outer.methods) else { return false }
        guard let outerPaths = outer.paths, !outerPaths.isEmpty else { return true }
        guard let innerPaths = paths, !innerPaths.isEmpty else { return false }
        let outerPatterns = outerPaths.compactMap(PathPattern.init(parsing:))
        return innerPaths.allSatisfy { path in
            guard let inner = PathPattern(parsing: path) else { return false }
            return outerPatterns.contains { inner.isInside($0) }
        }
    }

    /// Whether this rule allows the concrete request, as Istio evaluates one `operation`.
    public func allows(port: Int, method: String, path: String) -> Bool {
        if let ports, !ports.isEmpty, !ports.contains(String(port)) { return false }
        if let methods, !methods.isEmpty, !methods.contains(method) { return false }
        if let paths, !paths.isEmpty {
            return paths.contains { PathPattern(parsing: $0)?.matches(path) ?? false }
        }
        return true
    }
}

extension Subject {
    /// Whether every caller this subject admits is admitted by `outer`.
    ///
    /// A service account is inside another of the same namespace with the same name or name `*`;
    /// a request principal pattern is inside another by `PathPattern` containment. The two forms
    /// never contain each other (one is a workload identity, the other an end user's JWT).
    public func isInside(_ outer: Subject) -> Bool {
        if let account = serviceAccount, let outerAccount = outer.serviceAccount {
            guard requestPrincipal == nil, outer.requestPrincipal == nil else { return false }
            return account.namespace == outerAccount.namespace
                && (outerAccount.name == "*" || outerAccount.name == account.name)
        }
        if let principal = requestPrincipal, let outerPrincipal = outer.requestPrincipal,
            serviceAccount == nil, outer.serviceAccount == nil,
            let inner = PathPattern(parsing: principal), let outerPattern = PathPattern(parsing: outerPrincipal)
        {
            return inner.isInside(outerPattern)
        }
        return false
    }
}
