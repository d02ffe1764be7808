using System.Reflection;
using System.Reflection.Emit;
using Loyalty.Core.Primitives;

namespace Loyalty.Core.Tests;

/// <summary>
/// The package's layers, read by reflection from the compiled assembly: every type a namespace's
/// types name in their signatures, fields, attributes and method bodies. Engines are pure (no
/// store, no service, no DI); stores do not know the programme service; no namespace cycle.
/// </summary>
public sealed class LayeringTests
{
    private const string Root = "Loyalty.Core";

    private static readonly string[] Engines = ["Earning", "Tiers", "Segmentation", "Rewards", "Referrals"];

    private static readonly Lazy<Dictionary<string, Dictionary<string, string>>> Graph = new(Build);

    [Fact]
    public void The_graph_is_read_from_method_bodies_too()
    {
        // The programme service names the ledger in its bodies and signatures; a graph without them would be empty.
        Graph.Value.Should().ContainKey("Programs");
        Graph.Value["Programs"].Should().ContainKey("Ledger");
        Graph.Value["Programs"].Should().ContainKey("Earning");
    }

    [Theory]
    [MemberData(nameof(EngineNamespaces))]
    public void An_engine_references_no_store_service_or_DI(string engine)
    {
        var references = Graph.Value.GetValueOrDefault(engine) ?? [];
        var forbidden = references.Where(r => IsUnder(r.Key, "Storage") || IsUnder(r.Key, "Programs") || IsUnder(r.Key, "DependencyInjection")).ToList();
        forbidden.Should().BeEmpty($"engine {engine} must stay pure; found {string.Join("; ", forbidden.Select(f => $"{f.Key} via {f.Value}"))}");
    }

    [Fact]
    public void Storage_does_not_reference_the_programme_service()
    {
        var forbidden = Graph.Value.Where(n => IsUnder(n.Key, "Storage"))
            .SelectMany(n => n.Value.Where(r => IsUnder(r.Key, "Programs") || IsUnder(r.Key, "DependencyInjection")).Select(r => $"{n.Key} -> {r.Key} via {r.Value}"))
            .ToList();
        forbidden.Should().BeEmpty();
    }

    [Fact]
    public void The_ledger_does_not_reference_DI_or_the_programme_service()
    {
        var references = Graph.Value.GetValueOrDefault("Ledger") ?? [];
        references.Keys.Should().NotContain(["DependencyInjection", "Programs"]);
    }

    [Fact]
    public void No_namespace_cycle()
    {
        var graph = Graph.Value;
        var cycles = new List<string>();
        var state = new Dictionary<string, int>();
        var path = new Stack<string>();

        void Visit(string node)
        {
            state[node] = 1;
            path.Push(node);
            foreach (var next in graph.GetValueOrDefault(node)?.Keys ?? Enumerable.Empty<string>())
            {
                if (state.GetValueOrDefault(next) == 1)
                {
                    var loop = path.TakeWhile(n => n != next).Reverse().Prepend(next).Append(next).ToList();
                    cycles.Add(string.Join(" -> ", loop) + $" (last step via {graph[path.Peek()][next]})");
                }
                else if (state.GetValueOrDefault(next) == 0)
                {
                    Visit(next);
                }
            }

            path.Pop();
            state[node] = 2;
        }

        foreach (var node in graph.Keys.Order(StringComparer.Ordinal))
        {
            if (state.GetValueOrDefault(node) == 0)
            {
                Visit(node);
            }
        }

        cycles.Should().BeEmpty();
    }

    public static TheoryData<string> EngineNamespaces() => new(Engines);

    private static bool IsUnder(string ns, string top) => ns == top || ns.StartsWith(top + ".", StringComparison.Ordinal);

    /// <summary>Namespace (relative to the root, "" for the root) → referenced namespace → one example of a reference.</summary>
    private static Dictionary<string, Dictionary<string, string>> Build()
    {
        var assembly = typeof(Points).Assembly;
        var graph = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (var type in assembly.GetTypes())
        {
            var from = Namespace(type);
            if (from is null)
            {
                continue;
            }

            if (!graph.TryGetValue(from, out var edges))
            {
                edges = new Dictionary<string, string>(StringComparer.Ordinal);
                graph[from] = edges;
            }

            foreach (var (referenced, where) in References(type))
            {
                if (Namespace(referenced) is { } to && to != from && !edges.ContainsKey(to) && !IsInternalHelper(to))
                {
                    edges[to] = $"{type.FullName}.{where} -> {referenced.FullName}";
                }
            }
        }

        return graph;
    }

    /// <summary>The shared internal guard class is a leaf everybody may use.</summary>
    private static bool IsInternalHelper(string ns) => ns == "Internal";

    private static string? Namespace(Type type)
    {
        while (type.IsNested)
        {
            type = type.DeclaringType!;
        }

        var ns = type.Namespace;
        if (ns is null || type.Assembly != typeof(Points).Assembly || !(ns == Root || ns.StartsWith(Root + ".", StringComparison.Ordinal)))
        {
            return null;
        }

        // Compiler-generated helpers at the root (e.g. <PrivateImplementationDetails>) belong to no layer.
        return ns == Root ? null : ns[(Root.Length + 1)..];
    }

    private const BindingFlags All = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static IEnumerable<(Type Type, string Where)> References(Type type)
    {
        foreach (var t in Expand(type.BaseType))
        {
            yield return (t, "base");
        }

        foreach (var i in type.GetInterfaces().SelectMany(Expand))
        {
            yield return (i, "interface");
        }

        foreach (var a in type.CustomAttributes.SelectMany(AttributeTypes))
        {
            yield return (a, "attribute");
        }

        foreach (var field in type.GetFields(All))
        {
            foreach (var t in Expand(field.FieldType))
            {
                yield return (t, field.Name);
            }
        }

        foreach (var property in type.GetProperties(All))
        {
            foreach (var t in Expand(property.PropertyType))
            {
                yield return (t, property.Name);
            }
        }

        foreach (var method in type.GetMethods(All).Cast<MethodBase>().Concat(type.GetConstructors(All)))
        {
            if (method is MethodInfo info)
            {
                foreach (var t in Expand(info.ReturnType))
                {
                    yield return (t, method.Name);
                }
            }

            foreach (var t in method.GetParameters().SelectMany(p => Expand(p.ParameterType)))
            {
                yield return (t, method.Name);
            }

            foreach (var t in BodyReferences(method))
            {
                yield return (t, method.Name + " body");
            }
        }
    }

    private static IEnumerable<Type> AttributeTypes(CustomAttributeData attribute)
    {
        yield return attribute.AttributeType;
        foreach (var argument in attribute.ConstructorArguments.Concat(attribute.NamedArguments.Select(n => n.TypedValue)))
        {
            if (argument.Value is Type t)
            {
                foreach (var x in Expand(t))
                {
                    yield return x;
                }
            }
        }
    }

    private static IEnumerable<Type> Expand(Type? type)
    {
        if (type is null)
        {
            yield break;
        }

        if (type.HasElementType)
        {
            foreach (var t in Expand(type.GetElementType()))
            {
                yield return t;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        if (type.IsGenericType)
        {
            yield return type.GetGenericTypeDefinition();
            foreach (var t in type.GetGenericArguments().SelectMany(Expand))
            {
                yield return t;
            }

            yield break;
        }

        yield return type;
    }

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes).GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>Every type, field's or method's declaring type named by a token in the method's IL.</summary>
    private static IEnumerable<Type> BodyReferences(MethodBase method)
    {
        var il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        var module = method.Module;
        var typeArgs = method.DeclaringType?.IsGenericType == true ? method.DeclaringType.GetGenericArguments() : null;
        var methodArgs = method.IsGenericMethod ? method.GetGenericArguments() : null;
        var i = 0;
        while (i < il.Length)
        {
            short value = il[i++];
            if (value == 0xFE)
            {
                value = (short)(0xFE00 | il[i++]);
            }

            var op = OpCodesByValue[value];
            switch (op.OperandType)
            {
                case OperandType.InlineType:
                case OperandType.InlineTok:
                case OperandType.InlineMethod:
                case OperandType.InlineField:
                    var token = BitConverter.ToInt32(il, i);
                    i += 4;
                    MemberInfo? member = null;
                    try
                    {
                        member = module.ResolveMember(token, typeArgs, methodArgs);
                    }
                    catch (ArgumentException)
                    {
                    }

                    switch (member)
                    {
                        case Type t:
                            foreach (var x in Expand(t))
                            {
                                yield return x;
                            }

                            break;
                        case MethodBase m:
                            foreach (var x in Expand(m.DeclaringType))
                            {
                                yield return x;
                            }

                            if (m is MethodInfo mi)
                            {
                                foreach (var x in Expand(mi.ReturnType))
                                {
                                    yield return x;
                                }
                            }

                            break;
                        case FieldInfo f:
                            foreach (var x in Expand(f.DeclaringType).Concat(Expand(f.FieldType)))
                            {
                                yield return x;
                            }

                            break;
                    }

                    break;
                case OperandType.InlineSwitch:
                    var count = BitConverter.ToInt32(il, i);
                    i += 4 + (4 * count);
                    break;
                case OperandType.InlineNone:
                    break;
                case OperandType.ShortInlineBrTarget:
                case OperandType.ShortInlineI:
                case OperandType.ShortInlineVar:
                    i += 1;
                    break;
                case OperandType.InlineVar:
                    i += 2;
                    break;
                case OperandType.InlineI8:
                case OperandType.InlineR:
                    i += 8;
                    break;
                default:
                    i += 4;
                    break;
            }
        }
    }
}
