using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Primitives;
using NodaTime;

namespace Loyalty.Core.Configuration.Tests;

/// <summary>
/// Writes the JSON Schema of an appsettings.json with a <c>Loyalty</c> section from the options types, by the same
/// rules the section reader follows (<see cref="SectionModel"/>), with each setting's description from the XML docs.
/// </summary>
public static partial class SectionSchemaGenerator
{
    public static JsonObject Generate()
    {
        var docs = new Docs();
        var defs = new SortedDictionary<string, JsonNode>(StringComparer.Ordinal);
        var root = new JsonObject
        {
            ["$schema"] = "https://json-schema.org/draft/2020-12/schema",
            ["title"] = "appsettings.json with the Loyalty section of Loyalty.Core",
            ["description"] = "The whole loyalty programme in one configuration section: options, tier ladder, earning rule set versions and rewards catalogue (see docs/configuration.md). Keys are case-insensitive for the application; this schema uses the documented PascalCase.",
            ["type"] = "object",
            ["properties"] = new JsonObject { [LoyaltyOptions.SectionName] = Ref(typeof(LoyaltyOptions), defs, docs) },
        };
        var defsNode = new JsonObject();
        foreach (var (name, node) in defs)
        {
            defsNode[name] = node;
        }

        root["$defs"] = defsNode;
        return root;
    }

    private static JsonNode Ref(Type type, SortedDictionary<string, JsonNode> defs, Docs docs)
    {
        if (!defs.ContainsKey(type.Name))
        {
            defs[type.Name] = new JsonObject(); // placeholder against recursion (conditions hold conditions)
            defs[type.Name] = Definition(type, defs, docs);
        }

        return new JsonObject { ["$ref"] = "#/$defs/" + type.Name };
    }

    private static JsonObject Definition(Type type, SortedDictionary<string, JsonNode> defs, Docs docs)
    {
        if (type.IsAbstract)
        {
            var polymorphic = type.GetCustomAttribute<JsonPolymorphicAttribute>()!;
            var key = polymorphic.TypeDiscriminatorPropertyName!;
            var setting = char.ToUpperInvariant(key[0]) + key[1..];
            var kinds = new JsonArray();
            foreach (var derived in type.GetCustomAttributes<JsonDerivedTypeAttribute>())
            {
                var name = (string)derived.TypeDiscriminator!;
                var def = Definition(derived.DerivedType, defs, docs);
                ((JsonObject)def["properties"]!).Insert(0, setting, new JsonObject
                {
                    ["description"] = $"The kind of {Words(type.Name)}: {name}.",
                    ["enum"] = new JsonArray(name, char.ToUpperInvariant(name[0]) + name[1..]),
                });
                def["required"] = new JsonArray(setting);
                defs[derived.DerivedType.Name] = def;
                kinds.Add(new JsonObject { ["$ref"] = "#/$defs/" + derived.DerivedType.Name });
            }

            return new JsonObject
            {
                ["description"] = docs.Type(type),
                ["type"] = "object",
                ["required"] = new JsonArray(setting),
                ["oneOf"] = kinds,
            };
        }

        var properties = new JsonObject();
        if (type.GetConstructor(Type.EmptyTypes) is not null)
        {
            foreach (var property in SectionModel.Settable(type).Values.OrderBy(p => p.MetadataToken))
            {
                var schema = Value(property.PropertyType, defs, docs);
                schema = Describe(schema, docs.Member(property));
                properties[property.Name] = schema;
            }
        }
        else
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            foreach (var parameter in constructor.GetParameters())
            {
                var name = char.ToUpperInvariant(parameter.Name![0]) + parameter.Name[1..];
                properties[name] = Describe(Value(parameter.ParameterType, defs, docs), docs.Parameter(type, parameter.Name));
            }
        }

        if (type == typeof(LoyaltyOptions))
        {
            // The features' sub-sections, each read into the feature's own options type.
            foreach (var (key, typeName) in LoyaltySectionReader.FeatureSections)
            {
                var feature = new[] { typeof(LoyaltyOptions).Assembly, typeof(Hosting.LoyaltyMaintenanceOptions).Assembly }
                    .Select(a => a.GetType(typeName)).Single(t => t is not null)!;
                properties[key] = Describe(Ref(feature, defs, docs), docs.Type(feature));
            }
        }

        return new JsonObject
        {
            ["description"] = docs.Type(type),
            ["type"] = "object",
            ["properties"] = properties,
            ["additionalProperties"] = false,
        };
    }

    private static JsonNode Describe(JsonNode schema, string? description)
    {
        if (description is null)
        {
            return schema;
        }

        if (schema is JsonObject o && o.ContainsKey("$ref"))
        {
            return new JsonObject { ["description"] = description, ["allOf"] = new JsonArray(schema) };
        }

        var result = new JsonObject { ["description"] = description };
        foreach (var (k, v) in (JsonObject)schema)
        {
            result[k] = v?.DeepClone();
        }

        return result;
    }

    private static JsonNode Value(Type type, SortedDictionary<string, JsonNode> defs, Docs docs)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (SectionModel.IsCollection(type, out var element))
        {
            return new JsonObject { ["type"] = "array", ["items"] = Value(element!, defs, docs) };
        }

        if (SectionModel.IsComplex(type))
        {
            return Ref(type, defs, docs);
        }

        if (type == typeof(string))
        {
            return new JsonObject { ["type"] = "string" };
        }

        if (type == typeof(bool))
        {
            return new JsonObject { ["type"] = "boolean" };
        }

        if (type == typeof(int) || type == typeof(long) || type == typeof(Points))
        {
            return new JsonObject { ["type"] = "integer" };
        }

        if (type == typeof(decimal) || type == typeof(double))
        {
            return new JsonObject { ["type"] = "number" };
        }

        if (type.IsEnum)
        {
            return new JsonObject { ["type"] = "string", ["enum"] = new JsonArray(Enum.GetNames(type).Select(n => (JsonNode)n).ToArray()) };
        }

        if (type == typeof(TimeSpan))
        {
            return Pattern(@"^-?(\d+\.)?\d{1,2}:\d{2}(:\d{2}(\.\d{1,7})?)?$", "A duration: days.hours:minutes:seconds, e.g. 14.00:00:00.");
        }

        if (type == typeof(Instant))
        {
            return Pattern(@"^-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?Z$", "An ISO 8601 UTC instant, e.g. 2026-03-01T00:00:00Z.");
        }

        if (type == typeof(LocalDate))
        {
            return Pattern(@"^-?\d{4,}-\d{2}-\d{2}$", "An ISO date, e.g. 2026-03-28.");
        }

        if (type == typeof(LocalTime))
        {
            return Pattern(@"^\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?$", "A time of day, e.g. 09:30:00.");
        }

        if (SectionModel.IsIdentifier(type))
        {
            return new JsonObject { ["type"] = "string", ["minLength"] = 1, ["maxLength"] = Identifier.MaxLength };
        }

        throw new InvalidOperationException($"No schema for {type}; teach the generator and the section reader the same type.");
    }

    private static JsonObject Pattern(string pattern, string format) => new() { ["type"] = "string", ["pattern"] = pattern, ["$comment"] = format };

    private static string Words(string name) => WordBoundary().Replace(name, " $1").Trim().ToLowerInvariant();

    [GeneratedRegex("([A-Z])")]
    private static partial Regex WordBoundary();

    /// <summary>The summaries of the XML documentation files next to the assemblies.</summary>
    private sealed partial class Docs
    {
        private readonly Dictionary<string, XElement> members = new(StringComparer.Ordinal);

        public Docs()
        {
            foreach (var assembly in new[] { typeof(LoyaltyOptions).Assembly, typeof(Hosting.LoyaltyMaintenanceOptions).Assembly })
            {
                var file = Path.ChangeExtension(assembly.Location, ".xml");
                foreach (var member in XDocument.Load(file).Descendants("member"))
                {
                    members[(string)member.Attribute("name")!] = member;
                }
            }
        }

        public string? Type(Type type) => Summary(members.GetValueOrDefault("T:" + Name(type))?.Element("summary"));

        public string? Member(PropertyInfo property) =>
            Summary(members.GetValueOrDefault("P:" + Name(property.DeclaringType!) + "." + property.Name)?.Element("summary"))
            ?? Parameter(property.DeclaringType!, property.Name);

        public string? Parameter(Type type, string name) =>
            Summary(members.GetValueOrDefault("T:" + Name(type))?.Elements("param").FirstOrDefault(p => string.Equals((string?)p.Attribute("name"), name, StringComparison.OrdinalIgnoreCase)));

        private static string Name(Type type) => type.FullName!.Replace('+', '.');

        private static string? Summary(XElement? element)
        {
            if (element is null)
            {
                return null;
            }

            var text = string.Concat(element.Nodes().Select(n => n switch
            {
                XText t => t.Value,
                XElement { Name.LocalName: "see" } e => ((string?)e.Attribute("langword")) ?? Last((string?)e.Attribute("cref") ?? string.Empty),
                XElement { Name.LocalName: "paramref" or "typeparamref" } e => (string?)e.Attribute("name") ?? string.Empty,
                XElement e => e.Value,
                _ => string.Empty,
            }));
            return Spaces().Replace(text, " ").Trim();
        }

        private static string Last(string cref)
        {
            var name = cref.Contains(':', StringComparison.Ordinal) ? cref[(cref.IndexOf(':', StringComparison.Ordinal) + 1)..] : cref;
            var paren = name.IndexOf('(', StringComparison.Ordinal);
            if (paren >= 0)
            {
                name = name[..paren];
            }

            var parts = name.Split('.');
            return parts.Length >= 2 && char.IsUpper(parts[^1][0]) && cref.StartsWith("P:", StringComparison.Ordinal) || cref.StartsWith("F:", StringComparison.Ordinal) || cref.StartsWith("M:", StringComparison.Ordinal)
                ? parts[^2] + "." + parts[^1]
                : parts[^1];
        }

        [GeneratedRegex(@"\s+")]
        private static partial Regex Spaces();
    }
}
