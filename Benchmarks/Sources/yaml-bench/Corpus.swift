/// A deterministic Kubernetes-style multi-document stream: labels with an anchor reused through an
/// alias, block and folded scalars, flow and block lists, numbers, booleans and quoted strings.
enum Corpus {
    static func generate(minimumBytes: Int) -> [UInt8] {
        var text = ""
        text.reserveCapacity(minimumBytes + 4096)
        let apps = ["payments", "orders", "checkout", "search", "inventory", "billing", "ledger", "gateway"]
        let teams = ["sre", "security", "platform", "payments-oncall", "data"]
        let methods = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
        var index = 0
        while text.utf8.count < minimumBytes {
            let app = apps[index % apps.count]
            let team = teams[(index / 3) % teams.count]
            text += """
                ---
                apiVersion: elevation.example.io/v1alpha1
                kind: AccessPolicy
                metadata:
                  name: \(app)-policy-\(index)
                  namespace: team-\(index % 17)
                  labels: &labels
                    app.kubernetes.io/name: \(app)
                    app.kubernetes.io/part-of: shop
                    app.kubernetes.io/version: "\(index % 9).\(index % 13).\(index % 7)"
                    tier: \(index % 2 == 0 ? "backend" : "frontend")
                  annotations:
                    elevation.example.io/description: >-
                      Grants \(team) engineers temporary access to the \(app)
                      service while an incident is open, reviewed weekly.
                    elevation.example.io/ticket: "INC-\(100000 + index)"
                spec:
                  selector:
                    matchLabels: *labels
                  maxDuration: \(1 + index % 8)h
                  approvals: {required: \(1 + index % 3), from: [\(team), security]}
                  breakGlass: \(index % 5 == 0 ? "yes" : "no")
                  weight: 0.\(index % 100)
                  rules:

                """
            for rule in 0..<(2 + index % 4) {
                let method = methods[(index + rule) % methods.count]
                text += """
                      - name: rule-\(rule)
                        methods: [\(method), \(methods[(index + rule + 1) % methods.count])]
                        paths:
                        - /api/v\(1 + rule % 2)/\(app)/*
                        - '/internal/\(app)/status'
                        ports: [\(8000 + rule), \(9000 + index % 1000)]
                        audit: true

                    """
            }
            text += """
                  notify: |
                    #!/bin/sh
                    echo "elevation granted for \(app) (\(index))"
                    curl -fsS https://hooks.example.com/\(team) -d ok

                """
            index += 1
        }
        return Array(text.utf8)
    }
}

