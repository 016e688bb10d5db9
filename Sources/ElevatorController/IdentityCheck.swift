import Foundation
import Kube
import YAML

extension ElevatorController {
    /// Looks for Elevator's identity ValidatingAdmissionPolicies (any whose name starts with
    /// `elevator`); without them new requests stay `Valid=False, IdentityUnverified` unless
    /// `--allow-unverified-identity` was given.
    func checkIdentity() async {
        if options.allowUnverifiedIdentity { return }
        let resource = ResourceType(
            group: "admissionregistration.k8s.io", version: "v1", plural: "validatingadmissionpolicies",
            kind: "ValidatingAdmissionPolicy", namespaced: false)
        do {
            let list = try await client.list(JSONValue.self, resource)
            let found = list.items.contains { $0["metadata"]?["name"]?.stringValue?.hasPrefix("elevator") == true }
            reconciler.identityVerified.withLock { $0 = found }
            if !found {
                logger.warning("no elevator ValidatingAdmissionPolicy is installed: requester and approver identities are unverified, so nothing is granted (install manifests/admission or pass --allow-unverified-identity)")
            }
        } catch {
            reconciler.identityVerified.withLock { $0 = false }
            logger.warning("ValidatingAdmissionPolicies could not be listed; identities are treated as unverified", metadata: ["error": "\(error)"])
        }
    }
}
