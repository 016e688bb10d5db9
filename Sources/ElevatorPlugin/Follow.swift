import Elevation
import Foundation
import Kube

extension ElevateSession {
    /// Follows request `name` (a watch, resumed when the server ends it) until it is Active or in
    /// a final phase, calling `onPhase` once per phase seen (the current one first). Returns the
    /// request when Active; throws `PluginError.ended` with the deciding condition's message when
    /// it ends Denied, Expired or Revoked.
    public func follow(_ name: String, onPhase: (ElevationRequest) -> Void) async throws(PluginError) -> ElevationRequest {
        var current = try await request(named: name)
        var lastPhase: RequestPhase?
        while true {
            if current.phase != lastPhase {
                lastPhase = current.phase
                onPhase(current)
            }
            if current.phase == .active { return current }
            if current.phase.isTerminal {
                throw .ended(name: name, phase: current.phase.rawValue, reason: Self.reason(of: current))
            }
            let options = WatchOptions(fieldSelector: "metadata.name=\(name)", resourceVersion: current.metadata.resourceVersion, timeoutSeconds: 60)
            do {
                for try await event in client.watch(ElevationRequest.self, Self.requests, namespace: namespace, options: options) {
                    switch event {
                    case .added(let object), .modified(let object):
                        guard object.metadata.name == name else { continue }
                        current = object
                        if current.phase != lastPhase {
                            lastPhase = current.phase
                            onPhase(current)
                        }
                        if current.phase == .active { return current }
                        if current.phase.isTerminal {
                            throw PluginError.ended(name: name, phase: current.phase.rawValue, reason: Self.reason(of: current))
                        }
                    case .deleted(let object) where object.metadata.name == name:
                        throw PluginError.ended(name: name, phase: "deleted", reason: "someone deleted the request")
                    default:
                        continue
                    }
                }
            } catch let error as PluginError {
                throw error
            } catch KubeError.gone {
                // The resume point expired: re-read below and watch from there.
            } catch {
                throw fail(error, "watch ElevationRequests")
            }
            current = try await request(named: name)
        }
    }

    /// The message of the condition that explains a request's phase (the last False one, else the newest).
    static func reason(of request: ElevationRequest) -> String {
        let conditions = request.status?.conditions ?? []
        let explaining = conditions.last { $0.status == .false } ?? conditions.max { $0.lastTransitionTime < $1.lastTransitionTime }
        return explaining?.message ?? ""
    }
}
