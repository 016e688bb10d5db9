import Testing
import YAML

/// Tricky scalars and the JSON kubectl sends for them (sigs.k8s.io/yaml on go-yaml v2, see
/// docs/yaml.md). Each case is the value of key `v` in a one-line document.
struct ScalarResolutionTests {
    static let cases: [(yaml: String, json: JSONValue)] = [
        // Booleans: YAML 1.1 spellings of go-yaml v2, and no others.
        ("yes", .bool(true)), ("Yes", .bool(true)), ("YES", .bool(true)), ("y", .bool(true)), ("Y", .bool(true)),
        ("on", .bool(true)), ("On", .bool(true)), ("ON", .bool(true)), ("true", .bool(true)), ("True", .bool(true)),
        ("no", .bool(false)), ("n", .bool(false)), ("N", .bool(false)), ("off", .bool(false)), ("OFF", .bool(false)),
        ("False", .bool(false)), ("FALSE", .bool(false)),
        ("yEs", .string("yEs")), ("tRUE", .string("tRUE")), ("oN", .string("oN")),
        // Null.
        ("", .null), ("~", .null), ("null", .null), ("Null", .null), ("NULL", .null), ("nULL", .string("nULL")),
        // Integers: decimal, sign, octal (0 and 0o), hex, binary, underscores.
        ("0", .int(0)), ("-0", .int(0)), ("+12", .int(12)), ("012", .int(10)), ("0o12", .int(10)), ("0O12", .int(10)),
        ("0x1F", .int(31)), ("0X1f", .int(31)), ("-0x10", .int(-16)), ("0b101", .int(5)), ("-0b101", .int(-5)),
        ("1_000", .int(1000)), ("0x_FF", .int(255)), ("9223372036854775807", .int(.max)),
        ("-9223372036854775808", .int(.min)),
        // Beyond Int64: uint64 and then float, both JSON numbers read back as float.
        ("9223372036854775808", .double(9223372036854775808)),
        ("18446744073709551616", .double(18446744073709551616)),
        // Go prints this float64 as -9223372036854776000, which overflows Int64 when read back (kubectl shows a float).
        ("-9223372036854775809", .double(-9.223372036854775808e18)),
        // "08" is no octal; it matches the float pattern and becomes 8.
        ("08", .int(8)), ("0o8", .string("0o8")), ("0x", .string("0x")), ("0xG", .string("0xG")),
        // Floats; integral values come back from the JSON round trip as integers.
        ("1.5", .double(1.5)), ("-0.25", .double(-0.25)), (".5", .double(0.5)), ("+.5", .double(0.5)),
        ("1.", .int(1)), ("1.0", .int(1)), ("1e3", .int(1000)), ("1E-2", .double(0.01)), ("1_0.5", .double(10.5)),
        ("1e21", .double(1e21)), ("1e400", .string("1e400")), ("1.5e", .string("1.5e")), ("0x1p3", .string("0x1p3")),
        (".", .string(".")), ("._5", .string("._5")),
        // Strings that look special in other YAML versions.
        ("2024-01-01", .string("2024-01-01")), ("2001-12-14t21:59:43.10-05:00", .string("2001-12-14t21:59:43.10-05:00")),
        ("1:20", .string("1:20")), ("=", .string("=")), ("<<", .string("<<")), ("+", .string("+")), ("-.5x", .string("-.5x")),
        ("Infinity", .string("Infinity")), ("nan", .string("nan")), ("inf", .string("inf")),
        // Quoted and block scalars are always strings.
        ("\"yes\"", .string("yes")), ("'1.0'", .string("1.0")), ("\"\"", .string("")), ("'~'", .string("~")),
        // Explicit tags.
        ("!!str 123", .string("123")), ("!!str yes", .string("yes")), ("!!int \"12\"", .int(12)),
        ("!!float 1", .int(1)), ("!!float 1.5", .double(1.5)), ("!!bool \"on\"", .bool(true)),
        ("!!null ~", .null), ("!!null null", .null), ("! 12", .string("12")), ("!custom yes", .string("yes")),
        ("!!binary aGVsbG8=", .string("hello")), ("!!timestamp 2024-01-01", .string("2024-01-01")),
    ]

    @Test(arguments: cases)
    func scalarResolvesAsKubectlDoes(yaml: String, json: JSONValue) throws {
        let value = try YAMLParser().parseJSON("v: \(yaml)\n")
        #expect(value == .object(["v": json]), "v: \(yaml)")
    }

    static let keyCases: [(yaml: String, key: String)] = [
        ("1", "1"), ("0x10", "16"), ("true", "true"), ("yes", "true"), ("off", "false"), ("1.5", "1.5"),
        ("1.0", "1"), ("1e6", "1e+06"), ("0.0001", "0.0001"), ("0.00001", "1e-05"), ("3.14159265358979", "3.1415927"),
        ("123456.7", "123456.7"), (".inf", ".inf"), ("-.inf", "-.inf"), (".nan", ".nan"), ("\"1\"", "1"), ("abc", "abc"),
    ]

    @Test(arguments: keyCases)
    func nonStringKeysBecomeStringsAsSigsYAMLMakesThem(yaml: String, key: String) throws {
        let value = try YAMLParser().parseJSON("\(yaml): x\n")
        #expect(value == .object([key: .string("x")]), "\(yaml): x")
    }

    static let invalid: [(yaml: String, message: String)] = [
        ("v: .inf", "<input>:1:4: .inf cannot be represented in JSON (kubectl refuses it too); quote it to keep it a string"),
        ("v: -.Inf", "<input>:1:4: -.inf cannot be represented in JSON (kubectl refuses it too); quote it to keep it a string"),
        ("v: .NaN", "<input>:1:4: .nan cannot be represented in JSON (kubectl refuses it too); quote it to keep it a string"),
        ("~: x", "<input>:1:1: a mapping key is null (empty, ~ or null); JSON object keys must be strings, so quote the key"),
        ("[a]: x", "<input>:1:1: a mapping or sequence is used as a mapping key; JSON object keys must be strings"),
        ("18446744073709551615: x", "<input>:1:1: an integer key larger than 9223372036854775807 cannot become a JSON key; quote the key"),
        ("v: !!int abc", "<input>:1:4: the scalar tagged !!int reads as a string; fix the value or remove the tag"),
        ("v: !!bool 1", "<input>:1:4: the scalar tagged !!bool reads as an integer; fix the value or remove the tag"),
        ("v: !!binary a$b=", "<input>:1:4: !!binary value is not valid base64; encode the bytes with standard base64 and padding"),
        ("a: 1\nb: 2\na: 3", "<input>:3:1: duplicate key \"a\" in this mapping; remove one of them"),
        ("1: a\n\"1\": b", "<input>:2:1: duplicate key \"1\" in this mapping; remove one of them"),
        ("yes: a\ntrue: b", "<input>:2:1: duplicate key \"true\" in this mapping; remove one of them"),
    ]

    @Test(arguments: invalid)
    func valuesJSONCannotHoldAreRefusedAtTheirPosition(yaml: String, message: String) {
        #expect(throws: (any Error).self) { try YAMLParser().parseJSON(yaml) }
        do {
            _ = try YAMLParser().parseJSON(yaml)
        } catch {
            #expect("\(error)" == message)
        }
    }
}
