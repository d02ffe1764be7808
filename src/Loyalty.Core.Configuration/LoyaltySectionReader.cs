using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text.Json.Serialization;
using Loyalty.Core.DependencyInjection;
using Loyalty.Core.Primitives;
using Microsoft.Extensions.Configuration;
using NodaTime;
using NodaTime.Text;

namespace Loyalty.Core.Configuration;

/// <summary>
/// Reads the <c>Loyalty</c> configuration section into <see cref="LoyaltyOptions"/>: the options, the tier ladder,
/// every earning rule set version (each rule and condition chosen by its <c>Kind</c> / <c>Type</c>) and the rewards.
/// It reads through <see cref="IConfiguration"/>, so environment variables, secrets and the command line override any
/// value like every other setting. A value that cannot be read (text for a number, an unknown setting, a missing
/// <c>Kind</c>) does not throw: it becomes a <see cref="ProgramBindingFailure"/> with its configuration path, and the
/// options validator reports it at start-up with every other problem.
/// </summary>
/// <remarks>Stateless and thread-safe.</remarks>
public static class LoyaltySectionReader
{
    /// <summary>Reads <paramref name="section"/> into <paramref name="options"/> (settings absent from the section keep their values).</summary>
    /// <param name="section">The section, usually <c>configuration.GetSection("Loyalty")</c>.</param>
    /// <param name="options">The options to fill.</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static void Read(IConfiguration section, LoyaltyOptions options)
    {
        ArgumentNullException.ThrowIfNull(section);
        ArgumentNullException.ThrowIfNull(options);
        var path = section is IConfigurationSection s ? s.Path : string.Empty;
        var reader = new Reader(options.BindingFailures);
        reader.Populate(options, typeof(LoyaltyOptions), section, path);
    }

    /// <summary>
    /// The sub-sections of the <c>Loyalty</c> section that belong to a feature's own options type, by key, with the full
    /// name of that type: each is read into its options (<see cref="ReadFeature"/>), not into <see cref="LoyaltyOptions"/>.
    /// </summary>
    internal static readonly IReadOnlyDictionary<string, string> FeatureSections = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        ["Maintenance"] = "Loyalty.Core.Hosting.LoyaltyMaintenanceOptions",
        ["Diagnostics"] = typeof(Diagnostics.LoyaltyDiagnosticsOptions).FullName!,
        ["Transfers"] = typeof(Transfers.PointsTransferOptions).FullName!,
        ["Households"] = typeof(Households.HouseholdOptions).FullName!,
        ["Cards"] = typeof(Cards.CardOptions).FullName!,
    };

    /// <summary>
    /// Every problem of the features' sub-sections of <paramref name="section"/> (<c>Diagnostics</c>, <c>Transfers</c>,
    /// <c>Households</c>, <c>Cards</c>, and <c>Maintenance</c> where the hosting package is loaded, its values read but its
    /// rules checked by the host), each with its configuration path, as the host reports them at start-up: values that
    /// cannot be read and unknown keys, then the rules of each options type. Empty when the sub-sections are valid or absent.
    /// </summary>
    /// <param name="section">The <c>Loyalty</c> section.</param>
    /// <returns>The problems, sub-section by sub-section.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="section"/> is null.</exception>
    public static IReadOnlyList<string> GetFeatureFailures(IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var problems = new List<string>();
        foreach (var (key, typeName) in FeatureSections)
        {
            var sub = section.GetSection(key);
            var type = AppDomain.CurrentDomain.GetAssemblies().Select(a => a.GetType(typeName)).FirstOrDefault(t => t is not null);
            if (type is null || !sub.GetChildren().Any() && sub.Value is null)
            {
                continue;
            }

            var options = Activator.CreateInstance(type)!;
            var failures = new List<ProgramBindingFailure>();
            ReadFeature(sub, options, failures);
            problems.AddRange(failures.Select(f => f.ToString()));
            problems.AddRange(options switch
            {
                Transfers.PointsTransferOptions transfers => transfers.Validate(),
                Households.HouseholdOptions households => households.Validate(),
                Cards.CardOptions cards => cards.GetFailures(),
                _ => [],
            });
        }

        return problems;
    }

    /// <summary>The key of the feature sub-section <paramref name="type"/> is read from, or null when it is not a feature's options type.</summary>
    internal static string? FeatureKeyOf(Type type) =>
        FeatureSections.FirstOrDefault(f => string.Equals(f.Value, type.FullName, StringComparison.Ordinal)).Key;

    /// <summary>Reads a feature's sub-section (e.g. <c>Loyalty:Households</c>) into its options, recording what cannot be read in <paramref name="failures"/>.</summary>
    internal static void ReadFeature(IConfiguration section, object options, IList<ProgramBindingFailure> failures)
    {
        var path = section is IConfigurationSection s ? s.Path : string.Empty;
        new Reader(failures).Populate(options, options.GetType(), section, path);
    }

    private sealed class Reader(IList<ProgramBindingFailure> failures)
    {
        public void Populate(object target, Type type, IConfiguration section, string path)
        {
            var properties = SectionModel.Settable(type);
            foreach (var child in section.GetChildren())
            {
                if (type == typeof(LoyaltyOptions) && FeatureSections.ContainsKey(child.Key))
                {
                    continue; // read into the feature's own options
                }

                if (!properties.TryGetValue(child.Key, out var property))
                {
                    Unknown(child, type, type == typeof(LoyaltyOptions) ? properties.Values.Select(p => p.Name).Concat(FeatureSections.Keys) : properties.Values.Select(p => p.Name));
                    continue;
                }

                var existing = property.CanRead ? property.GetValue(target) : null;
                if (existing is not null && SectionModel.IsComplex(property.PropertyType) && !SectionModel.IsCollection(property.PropertyType, out _) && !property.PropertyType.IsAbstract)
                {
                    Populate(existing, existing.GetType(), child, child.Path);
                    continue;
                }

                if (Read(child, property.PropertyType, out var value) && property.SetMethod is { IsPublic: true })
                {
                    property.SetValue(target, value);
                }
            }
        }

        /// <summary>
        /// Reads one value; false when there is none to set (a failure was recorded). A list or an object with bad parts is
        /// still returned (bad values left at their defaults, an unreadable item as a null placeholder so indexes keep their
        /// meaning), so that the validator checks the rest.
        /// </summary>
        private bool Read(IConfigurationSection section, Type type, out object? value)
        {
            value = null;
            var underlying = Nullable.GetUnderlyingType(type);
            if (underlying is not null)
            {
                if (section.Value is { Length: 0 } && !section.GetChildren().Any())
                {
                    return true;
                }

                type = underlying;
            }

            if (!SectionModel.IsComplex(type))
            {
                if (section.Value is null)
                {
                    Fail(section, section.GetChildren().Any()
                        ? $"must be a single value, not a section ({Describe(type)})."
                        : $"has no value; give {Describe(type)}.");
                    return false;
                }

                return Leaf(section, type, out value);
            }

            if (section.Value is { Length: > 0 } text)
            {
                Fail(section, $"must be a section with settings{(SectionModel.IsCollection(type, out _) ? " (a list: items numbered 0, 1, 2…)" : string.Empty)}, not the value '{text}'.");
                return false;
            }

            if (SectionModel.IsCollection(type, out var element))
            {
                return List(section, type, element!, out value);
            }

            return Object(section, type, out value);
        }

        private bool List(IConfigurationSection section, Type type, Type element, out object? value)
        {
            var list = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
            var items = new List<(int Index, IConfigurationSection Item)>();
            foreach (var child in section.GetChildren())
            {
                if (!int.TryParse(child.Key, NumberStyles.None, CultureInfo.InvariantCulture, out var index))
                {
                    Fail(child, $"is not an item of the list {section.Path}; number the items 0, 1, 2… (in JSON, write an array).");
                    continue;
                }

                items.Add((index, child));
            }

            foreach (var (_, item) in items.OrderBy(i => i.Index))
            {
                list.Add(Read(item, element, out var itemValue) ? itemValue : (element.IsValueType ? Activator.CreateInstance(element) : null));
            }

            if (type.IsArray)
            {
                var array = Array.CreateInstance(element, list.Count);
                list.CopyTo(array, 0);
                value = array;
            }
            else
            {
                value = list;
            }

            return true;
        }

        private bool Object(IConfigurationSection section, Type type, out object? value)
        {
            value = null;
            if (type.IsAbstract)
            {
                var polymorphic = type.GetCustomAttribute<JsonPolymorphicAttribute>();
                var derived = type.GetCustomAttributes<JsonDerivedTypeAttribute>().Where(a => a.TypeDiscriminator is string).ToArray();
                if (polymorphic is null || derived.Length == 0)
                {
                    Fail(section, $"cannot be read: {type.Name} has no kinds to choose from.");
                    return false;
                }

                var key = polymorphic.TypeDiscriminatorPropertyName ?? "$type";
                var names = string.Join(", ", derived.Select(d => (string)d.TypeDiscriminator!));
                var discriminator = section.GetChildren().FirstOrDefault(c => string.Equals(c.Key, key, StringComparison.OrdinalIgnoreCase));
                var settingName = char.ToUpperInvariant(key[0]) + key[1..];
                if (discriminator?.Value is not { Length: > 0 } kind)
                {
                    Fail(section.Path + ":" + settingName, $"is required: the kind of {Noun(type)}; use one of {names}.");
                    return false;
                }

                var match = derived.FirstOrDefault(d => string.Equals((string)d.TypeDiscriminator!, kind, StringComparison.OrdinalIgnoreCase));
                if (match is null)
                {
                    Fail(discriminator, $"'{kind}' is not a kind of {Noun(type)}; use one of {names}.");
                    return false;
                }

                return Construct(section, match.DerivedType, key, out value);
            }

            return Construct(section, type, null, out value);
        }

        private bool Construct(IConfigurationSection section, Type type, string? discriminator, out object? value)
        {
            value = null;
            var children = section.GetChildren().Where(c => discriminator is null || !string.Equals(c.Key, discriminator, StringComparison.OrdinalIgnoreCase)).ToList();
            if (type.GetConstructor(Type.EmptyTypes) is { } parameterless)
            {
                var instance = parameterless.Invoke(null);
                var properties = SectionModel.Settable(type);
                foreach (var child in children)
                {
                    if (!properties.TryGetValue(child.Key, out var property))
                    {
                        Unknown(child, type, properties.Values.Select(p => p.Name));
                    }
                    else if (Read(child, property.PropertyType, out var v) && v is not null)
                    {
                        property.SetValue(instance, v);
                    }
                }

                value = instance;
                return true;
            }

            // A positional record (e.g. a stacking group: Name, Mode): its constructor's parameters are its settings.
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).First();
            var parameters = constructor.GetParameters();
            var arguments = parameters.Select(p => p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null).ToArray();
            foreach (var child in children)
            {
                var index = Array.FindIndex(parameters, p => string.Equals(p.Name, child.Key, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                {
                    Unknown(child, type, parameters.Select(p => char.ToUpperInvariant(p.Name![0]) + p.Name[1..]));
                }
                else if (Read(child, parameters[index].ParameterType, out var v) && v is not null)
                {
                    arguments[index] = v;
                }
            }

            value = constructor.Invoke(arguments);
            return true;
        }

        private bool Leaf(IConfigurationSection section, Type type, out object? value)
        {
            var text = section.Value!;
            value = null;
            if (type == typeof(string))
            {
                value = text;
                return true;
            }

            if (type == typeof(bool))
            {
                if (bool.TryParse(text, out var b))
                {
                    value = b;
                    return true;
                }

                return Fail(section, $"'{text}' is not true or false.");
            }

            if (type == typeof(int) || type == typeof(long))
            {
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) && (type == typeof(long) || l is >= int.MinValue and <= int.MaxValue))
                {
                    value = type == typeof(int) ? (object)(int)l : l;
                    return true;
                }

                return Fail(section, $"'{text}' is not a whole number{(type == typeof(int) ? " (at most 2147483647)" : string.Empty)}; write it in digits, e.g. 500.");
            }

            if (type == typeof(decimal) || type == typeof(double))
            {
                if (decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var d))
                {
                    value = type == typeof(decimal) ? (object)d : (double)d;
                    return true;
                }

                return Fail(section, $"'{text}' is not a number; write it with a dot for decimals, e.g. 1.5.");
            }

            if (type == typeof(Points))
            {
                if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var p))
                {
                    value = Points.FromInt64(p);
                    return true;
                }

                return Fail(section, $"'{text}' is not a whole number of points; write it in digits, e.g. 100.");
            }

            if (type.IsEnum)
            {
                var names = Enum.GetNames(type);
                var name = names.FirstOrDefault(n => string.Equals(n, text, StringComparison.OrdinalIgnoreCase));
                if (name is not null)
                {
                    value = Enum.Parse(type, name);
                    return true;
                }

                return Fail(section, $"'{text}' is not one of {string.Join(", ", names)}.");
            }

            if (type == typeof(TimeSpan))
            {
                if (TimeSpan.TryParse(text, CultureInfo.InvariantCulture, out var span))
                {
                    value = span;
                    return true;
                }

                return Fail(section, $"'{text}' is not a duration; write days.hours:minutes:seconds, e.g. 14.00:00:00 for 14 days.");
            }

            if (type == typeof(Instant))
            {
                return Pattern(section, InstantPattern.ExtendedIso, "an ISO 8601 UTC instant such as 2026-03-01T00:00:00Z", out value);
            }

            if (type == typeof(LocalDate))
            {
                return Pattern(section, LocalDatePattern.Iso, "an ISO date such as 2026-03-28", out value);
            }

            if (type == typeof(LocalTime))
            {
                return Pattern(section, LocalTimePattern.ExtendedIso, "a time of day such as 09:30:00", out value);
            }

            if (SectionModel.IsIdentifier(type) && type.GetMethod("From", BindingFlags.Public | BindingFlags.Static, [typeof(string)]) is { } from)
            {
                try
                {
                    value = from.Invoke(null, [text]);
                    return true;
                }
                catch (TargetInvocationException ex) when (ex.InnerException is ArgumentException inner)
                {
                    return Fail(section, FirstSentence(inner));
                }
            }

            return Fail(section, $"cannot be read as {type.Name}.");
        }

        private bool Pattern<T>(IConfigurationSection section, IPattern<T> pattern, string expected, out object? value)
        {
            var result = pattern.Parse(section.Value!);
            value = result.Success ? result.Value : null;
            return result.Success || Fail(section, $"'{section.Value}' is not {expected}.");
        }

        private void Unknown(IConfigurationSection child, Type type, IEnumerable<string> known)
        {
            var callback = type.GetProperty(child.Key, BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } p && typeof(Delegate).IsAssignableFrom(p.PropertyType);
            Fail(child, $"is not a setting of {Noun(type)}{(callback ? " (a callback is set in code)" : string.Empty)}; the settings are {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }

        private bool Fail(IConfigurationSection section, string message) => Fail(section.Path, message);

        private bool Fail(string path, string message)
        {
            failures.Add(new ProgramBindingFailure(path, message));
            return false;
        }

        private static string Describe(Type type) =>
            type == typeof(bool) ? "true or false"
            : type == typeof(int) || type == typeof(long) || type == typeof(Points) ? "a whole number"
            : type == typeof(decimal) || type == typeof(double) ? "a number"
            : type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type))
            : type == typeof(Instant) ? "an instant such as 2026-03-01T00:00:00Z"
            : "a text value";

        private static string Noun(Type type)
        {
            if (type == typeof(LoyaltyOptions))
            {
                return "the " + LoyaltyOptions.SectionName + " section";
            }

            if (FeatureKeyOf(type) is { } feature)
            {
                return "the " + LoyaltyOptions.SectionName + ":" + feature + " section";
            }

            var name = type.Name;
            var section = string.Empty;
            foreach (var suffix in new[] { "Options", "Definition" })
            {
                if (name.EndsWith(suffix, StringComparison.Ordinal) && name.Length > suffix.Length)
                {
                    name = name[..^suffix.Length];
                    section = " section";
                }
            }

            var words = new List<string>();
            var start = 0;
            for (var i = 1; i <= name.Length; i++)
            {
                if (i == name.Length || char.IsUpper(name[i]))
                {
                    words.Add(name[start..i].ToLowerInvariant());
                    start = i;
                }
            }

            return ("aeiou".Contains(words[0][0], StringComparison.Ordinal) ? "an " : "a ") + string.Join(' ', words) + section;
        }

        private static string FirstSentence(ArgumentException ex)
        {
            var message = ex.Message;
            var cut = message.IndexOf(" (Parameter", StringComparison.Ordinal);
            return cut >= 0 ? message[..cut] : message;
        }
    }
}

/// <summary>What the reader (and the JSON Schema of the section) treats as a setting, a value, a list or a section.</summary>
internal static class SectionModel
{
    public static Dictionary<string, PropertyInfo> Settable(Type type) =>
        type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.GetIndexParameters().Length == 0 && (p.SetMethod is { IsPublic: true } || (p.CanRead && IsComplex(p.PropertyType) && !IsCollection(p.PropertyType, out _))))
            .Where(p => p.GetCustomAttribute<JsonIgnoreAttribute>() is null && !typeof(Delegate).IsAssignableFrom(p.PropertyType))
            .GroupBy(p => p.Name, StringComparer.OrdinalIgnoreCase)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.OrdinalIgnoreCase);

    public static bool IsComplex(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return !(type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(TimeSpan)
            || type == typeof(Instant) || type == typeof(LocalDate) || type == typeof(LocalTime) || type == typeof(Points) || IsIdentifier(type));
    }

    public static bool IsIdentifier(Type type) =>
        type.IsValueType && type.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IIdentifier<>));

    public static bool IsCollection(Type type, out Type? element)
    {
        element = null;
        if (type == typeof(string))
        {
            return false;
        }

        if (type.IsArray)
        {
            element = type.GetElementType();
            return true;
        }

        if (type.IsGenericType && type.GetGenericTypeDefinition() is var d
            && (d == typeof(IReadOnlyList<>) || d == typeof(IList<>) || d == typeof(List<>) || d == typeof(IEnumerable<>) || d == typeof(ICollection<>) || d == typeof(IReadOnlyCollection<>)))
        {
            element = type.GetGenericArguments()[0];
            return true;
        }

        return false;
    }
}
