using System.Globalization;
using Loyalty.Core.Segmentation;

namespace Loyalty.Cli.Reports;

/// <summary>
/// The words of tables and reports in English and French (<c>--culture fr-FR</c>), and the
/// number and date formats of the chosen culture. Segment names are translated for people; JSON
/// keeps the engine's English names.
/// </summary>
internal sealed class Texts
{
    private static readonly Dictionary<string, (string En, string Fr)> Words = new(StringComparer.Ordinal)
    {
        ["report.title"] = ("Customer report", "Rapport clients"),
        ["report.generated"] = ("Orders file {0}: {1} lines read; as of {2}; {3}.", "Fichier de commandes {0} : {1} lignes lues ; au {2} ; {3}."),
        ["report.allHistory"] = ("all history", "tout l'historique"),
        ["report.window"] = ("window {0}", "fenêtre {0}"),
        ["report.footer"] = ("Made by the loyalty tool (Loyalty.Core). This file is self-contained: it needs no network.", "Produit par l'outil loyalty (Loyalty.Core). Ce fichier est autonome : il n'a besoin d'aucun réseau."),
        ["rfmp.title"] = ("RFMP segments", "Segments RFMP"),
        ["rfmp.summary"] = ("{0} customers scored as of {1} ({2} scores per dimension).", "{0} clients notés au {1} ({2} notes par dimension)."),
        ["rfmp.grid"] = ("Recency × frequency grid", "Grille récence × fréquence"),
        ["rfmp.grid.caption"] = ("Customers in each R×F cell and their share of revenue (darker: more customers).", "Clients de chaque case R×F et leur part du chiffre d'affaires (plus foncé : plus de clients)."),
        ["rfmp.segments"] = ("Segment sizes", "Taille des segments"),
        ["rfmp.segments.caption"] = ("Customers per segment.", "Clients par segment."),
        ["rfmp.movements"] = ("Movements between {0} and {1}", "Mouvements entre le {0} et le {1}"),
        ["rfmp.movements.caption"] = ("The largest flows of customers between segments ({0} customers changed segment).", "Les principaux flux de clients entre segments ({0} clients ont changé de segment)."),
        ["rfmp.movements.none"] = ("No customer changed segment.", "Aucun client n'a changé de segment."),
        ["axis.recency"] = ("Recency score R (5 = most recent)", "Note de récence R (5 = le plus récent)"),
        ["axis.frequency"] = ("Frequency score F (5 = most orders)", "Note de fréquence F (5 = le plus de commandes)"),
        ["axis.customers"] = ("Customers", "Clients"),
        ["axis.cohort"] = ("First-purchase month", "Mois du premier achat"),
        ["axis.monthsAfter"] = ("Months after the first purchase", "Mois après le premier achat"),
        ["axis.intervalDays"] = ("Median days between purchases", "Nombre médian de jours entre deux achats"),
        ["col.segment"] = ("Segment", "Segment"),
        ["col.customers"] = ("Customers", "Clients"),
        ["col.share"] = ("Share", "Part"),
        ["col.revenue"] = ("Revenue", "Chiffre d'affaires"),
        ["col.revenueShare"] = ("Revenue share", "Part du CA"),
        ["col.orders"] = ("Orders", "Commandes"),
        ["col.aov"] = ("Avg. order", "Panier moyen"),
        ["col.dimension"] = ("Dimension", "Dimension"),
        ["col.cutPoints"] = ("Cut points", "Seuils"),
        ["col.perScore"] = ("Customers per score 1..k", "Clients par note 1..k"),
        ["col.from"] = ("From", "De"),
        ["col.to"] = ("To", "Vers"),
        ["col.cohort"] = ("Cohort", "Cohorte"),
        ["col.month"] = ("Month", "Mois"),
        ["col.activeBefore"] = ("Bought the month before", "Acheteurs le mois précédent"),
        ["col.churned"] = ("Churned", "Perdus"),
        ["col.churnRate"] = ("Churn", "Attrition"),
        ["col.customer"] = ("Customer", "Client"),
        ["col.purchaseDays"] = ("Purchase days", "Jours d'achat"),
        ["col.medianInterval"] = ("Median interval (days)", "Intervalle médian (jours)"),
        ["col.last"] = ("Last purchase", "Dernier achat"),
        ["col.expected"] = ("Expected", "Attendu"),
        ["col.daysLate"] = ("Days late", "Jours de retard"),
        ["col.interval"] = ("Median interval", "Intervalle médian"),
        ["none"] = ("none", "aucun"),
        ["new"] = ("(new)", "(nouveau)"),
        ["gone"] = ("(gone)", "(parti)"),
        ["partial"] = ("month not over", "mois en cours"),
        ["cohorts.title"] = ("Cohort retention", "Rétention par cohorte"),
        ["cohorts.summary"] = ("{0} customers in {1} monthly cohorts, as of {2}.", "{0} clients dans {1} cohortes mensuelles, au {2}."),
        ["cohorts.heatmap"] = ("Retention heatmap", "Carte de la rétention"),
        ["cohorts.heatmap.caption"] = ("Share of each first-purchase month's customers who bought again m months later.", "Part des clients de chaque mois de premier achat qui ont racheté m mois plus tard."),
        ["cohorts.churn"] = ("Monthly churn", "Attrition mensuelle"),
        ["cohorts.churn.caption"] = ("Among the customers who bought in the previous month, the share who did not buy this month.", "Parmi les clients qui ont acheté le mois précédent, la part qui n'a pas acheté ce mois-ci."),
        ["cycles.title"] = ("Purchase cycles", "Cycles d'achat"),
        ["cycles.summary"] = ("{0} customers have a purchase cycle (3 or more purchase days); {1} have fewer purchase days. {2} are overdue on {3}.", "{0} clients ont un cycle d'achat (3 jours d'achat ou plus) ; {1} en ont moins. {2} sont en retard au {3}."),
        ["cycles.distribution"] = ("Purchase-cycle distribution", "Distribution des cycles d'achat"),
        ["cycles.distribution.caption"] = ("Customers by median number of days between their purchase days.", "Clients selon le nombre médian de jours entre leurs jours d'achat."),
        ["cycles.overdue"] = ("Overdue: relaunch first", "En retard : à relancer d'abord"),
        ["cycles.overdue.caption"] = ("{0} customers are late for their expected purchase{1}; the least late first (the ones most likely to come back).", "{0} clients sont en retard sur leur achat attendu{1} ; les moins en retard d'abord (les plus susceptibles de revenir)."),
        ["cycles.maxLateness"] = (" by at most {0} days", " de {0} jours au plus"),
        ["clv.title"] = ("Customer lifetime value", "Valeur vie client"),
        ["clv.summary"] = ("{0} customers, models fitted on their purchases up to {1}; value of the next {2} months, discounted at {3} a year, margin {4}: {5} {6} in all ({7} orders after {1} left out).", "{0} clients, modèles ajustés sur leurs achats jusqu'au {1} ; valeur des {2} prochains mois, actualisée à {3} par an, marge {4} : {5} {6} au total ({7} commandes après le {1} écartées)."),
        ["clv.fit"] = ("Model fits", "Ajustement des modèles"),
        ["clv.warning"] = ("Warning:", "Attention :"),
        ["clv.top"] = ("The {0} customers of highest lifetime value", "Les {0} clients de plus forte valeur vie"),
        ["clv.segments"] = ("Lifetime value per RFMP segment", "Valeur vie par segment RFMP"),
        ["clv.bySegment"] = ("Lifetime value by RFMP segment", "Valeur vie par segment RFMP"),
        ["clv.bySegment.caption"] = ("Total expected value of each segment's customers ({0}) and its share of the whole.", "Valeur attendue totale des clients de chaque segment ({0}) et sa part du total."),
        ["clv.alive"] = ("Probability of being alive", "Probabilité d'être encore actif"),
        ["clv.alive.caption"] = ("Customers by the model's probability that they are still buying (P(alive)) on the as-of date.", "Clients selon la probabilité, d'après le modèle, qu'ils achètent encore (P(actif)) à la date d'analyse."),
        ["clv.unsegmented"] = ("Unsegmented", "Non segmentés"),
        ["axis.clv"] = ("Expected lifetime value ({0})", "Valeur vie attendue ({0})"),
        ["axis.alive"] = ("P(alive)", "P(actif)"),
        ["col.model"] = ("Model", "Modèle"),
        ["col.converged"] = ("Converged", "Convergé"),
        ["col.iterations"] = ("Iterations", "Itérations"),
        ["col.logLikelihood"] = ("Log-likelihood", "Log-vraisemblance"),
        ["col.parameters"] = ("Parameters", "Paramètres"),
        ["col.rank"] = ("Rank", "Rang"),
        ["col.repeatPurchases"] = ("Repeat purchases", "Achats répétés"),
        ["col.pAlive"] = ("P(alive)", "P(actif)"),
        ["col.expectedPurchases"] = ("Expected purchases", "Achats attendus"),
        ["col.expectedSpend"] = ("Expected avg. spend", "Panier moyen attendu"),
        ["col.clv"] = ("CLV ({0})", "Valeur vie ({0})"),
        ["col.clvTotal"] = ("Total CLV ({0})", "Valeur vie totale ({0})"),
        ["col.clvMean"] = ("Mean CLV ({0})", "Valeur vie moyenne ({0})"),
        ["yes"] = ("yes", "oui"),
        ["no"] = ("no", "non"),
        ["backtest.title"] = ("Programme backtest", "Rejeu des programmes"),
        ["backtest.summary"] = ("{0} orders of {1} customers, {2} to {3}, replayed through {4} candidate programme(s) by the production engines; every customer joins at their first order; redemption draws with seed {5}.", "{0} commandes de {1} clients, de {2} à {3}, rejouées dans {4} programme(s) candidat(s) par les moteurs de production ; chaque client adhère à sa première commande ; tirages des échanges avec la graine {5}."),
        ["backtest.months"] = ("Month by month: {0}", "Mois par mois : {0}"),
        ["backtest.sideBySide"] = ("Side by side", "Côte à côte"),
        ["backtest.verdict"] = ("Verdict: {0}", "Verdict : {0}"),
        ["backtest.cost"] = ("Backtest comparison: cumulative reward cost", "Comparaison : coût cumulé des récompenses"),
        ["backtest.cost.caption"] = ("What the rewards members redeemed would have cost the shop, month by month, for each candidate ({0}).", "Ce que les récompenses échangées par les membres auraient coûté à la boutique, mois par mois, pour chaque candidat ({0})."),
        ["backtest.liability"] = ("Liability curve", "Courbe du passif"),
        ["backtest.liability.caption"] = ("Outstanding points at each month end valued at the candidate's cost per point ({0}): what the shop owes its members.", "Points en circulation à chaque fin de mois valorisés au coût du point du candidat ({0}) : ce que la boutique doit à ses membres."),
        ["backtest.notCounted"] = ("Not accounted for: the extra orders a programme brings (every candidate replays the same orders), the margin on the goods, operating costs.", "Non pris en compte : les commandes en plus qu'apporte un programme (chaque candidat rejoue les mêmes commandes), la marge sur les produits, les coûts de fonctionnement."),
        ["axis.month"] = ("Month", "Mois"),
        ["axis.amount"] = ("Amount ({0})", "Montant ({0})"),
        ["col.memberRevenue"] = ("Member revenue", "CA des membres"),
        ["col.issued"] = ("Issued", "Émis"),
        ["col.redeemed"] = ("Redeemed", "Échangés"),
        ["col.expired"] = ("Expired", "Expirés"),
        ["col.outstanding"] = ("Outstanding", "En circulation"),
        ["col.liability"] = ("Liability", "Passif"),
        ["col.breakage"] = ("Breakage to date", "Points perdus à date"),
        ["col.rewardCost"] = ("Reward cost", "Coût des récompenses"),
        ["col.costRatio"] = ("Cost ratio", "Ratio de coût"),
        ["col.members"] = ("Members", "Membres"),
        ["row.points"] = ("Points issued / redeemed / expired", "Points émis / échangés / expirés"),
        ["row.rewards"] = ("Rewards redeemed, cost to the shop", "Récompenses échangées, coût pour la boutique"),
        ["row.costRatio"] = ("Cost ratio (reward cost / member revenue)", "Ratio de coût (coût des récompenses / CA des membres)"),
        ["row.liability"] = ("Liability at the end (points)", "Passif à la fin (points)"),
        ["row.breakage"] = ("Estimated ultimate breakage", "Taux de points jamais échangés estimé"),
        ["days"] = ("days", "jours"),
        ["validate.ok"] = ("{0}: the configuration is valid ({1}).", "{0} : la configuration est valide ({1})."),
        ["validate.problems"] = ("{0}: {1} problem(s) found:", "{0} : {1} problème(s) trouvé(s) :"),
        ["report.clvSkipped"] = ("Not computed on this data: {0}", "Non calculée sur ces données : {0}"),
        ["liability.heading"] = ("Liability of programme {0} as of {1} ({2}), {3}: {4} account(s) with points outstanding or owed.", "Passif du programme {0} au {1} ({2}), {3} : {4} compte(s) avec des points en circulation ou dus."),
        ["liability.valuation"] = ("{0} {1} per point", "{0} {1} par point"),
        ["liability.title"] = ("Points liability", "Passif des points"),
        ["liability.summary"] = ("Outstanding points: {0}, worth {1} {2} ({3}); expired lots and lapsed holds are not counted.", "Points en circulation : {0}, soit {1} {2} ({3}) ; les lots expirés et les réservations échues ne comptent pas."),
        ["liability.byState"] = ("By state", "Par état"),
        ["liability.byExpiry"] = ("Open lots by expiry", "Lots ouverts par échéance"),
        ["liability.byTier"] = ("Outstanding by tier", "En circulation par palier"),
        ["liability.chart"] = ("Liability by expiry", "Passif par échéance"),
        ["liability.chart.caption"] = ("Value ({0}) of the open lots by when they expire, counted from the month of {1} in {2}.", "Valeur ({0}) des lots ouverts selon leur échéance, comptée à partir du mois du {1} en {2}."),
        ["liability.debt"] = ("Debt owed by members (already deducted from available): {0} points.", "Dette des membres (déjà déduite des points disponibles) : {0} points."),
        ["col.state"] = ("State", "État"),
        ["col.points"] = ("Points", "Points"),
        ["col.value"] = ("Value ({0})", "Valeur ({0})"),
        ["col.expires"] = ("Expires", "Échéance"),
        ["col.tier"] = ("Tier", "Palier"),
        ["state.available"] = ("available", "disponibles"),
        ["state.pending"] = ("pending", "en attente"),
        ["state.held"] = ("held", "réservés"),
        ["state.outstanding"] = ("outstanding", "en circulation"),
        ["expiry.thisMonth"] = ("this month", "ce mois-ci"),
        ["expiry.withinThreeMonths"] = ("next 2 months", "les 2 mois suivants"),
        ["expiry.withinTwelveMonths"] = ("months 4 to 12", "mois 4 à 12"),
        ["expiry.later"] = ("later", "plus tard"),
        ["expiry.never"] = ("never", "jamais"),
        ["tier.none"] = ("(no tier)", "(sans palier)"),
    };

    private static readonly Dictionary<string, string> FrenchSegments = new(StringComparer.Ordinal)
    {
        [RfmpSegments.Champions] = "Champions",
        [RfmpSegments.Loyal] = "Fidèles",
        [RfmpSegments.PotentialLoyalists] = "Fidèles potentiels",
        [RfmpSegments.New] = "Nouveaux",
        [RfmpSegments.Promising] = "Prometteurs",
        [RfmpSegments.NeedAttention] = "À surveiller",
        [RfmpSegments.AboutToSleep] = "Bientôt endormis",
        [RfmpSegments.AtRisk] = "À risque",
        [RfmpSegments.CantLoseThem] = "À ne pas perdre",
        [RfmpSegments.Hibernating] = "En hibernation",
        [RfmpSegments.Lost] = "Perdus",
    };

    private readonly bool french;

    /// <summary>Creates the texts of a culture (French for any fr-* culture, English otherwise).</summary>
    /// <param name="culture">The culture.</param>
    public Texts(CultureInfo culture)
    {
        Culture = culture;
        french = culture.TwoLetterISOLanguageName == "fr";
    }

    /// <summary>The culture numbers and dates are written in.</summary>
    public CultureInfo Culture { get; }

    /// <summary>The language code for the HTML <c>lang</c> attribute.</summary>
    public string Language => french ? "fr" : "en";

    /// <summary>A text by key.</summary>
    /// <param name="key">The key.</param>
    /// <returns>The text.</returns>
    public string this[string key] => french ? Words[key].Fr : Words[key].En;

    /// <summary>A text by key, formatted with arguments in the culture.</summary>
    /// <param name="key">The key.</param>
    /// <param name="args">The arguments.</param>
    /// <returns>The text.</returns>
    public string Format(string key, params object?[] args) => string.Format(Culture, this[key], args);

    /// <summary>A segment's name for people.</summary>
    /// <param name="segment">The engine's name (or null for "not present").</param>
    /// <param name="absent">The word for null.</param>
    /// <returns>The name.</returns>
    public string Segment(string? segment, string absent = "none") =>
        segment is null ? this[absent] : french && FrenchSegments.TryGetValue(segment, out var name) ? name : segment;

    /// <summary>A whole number.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public string Number(long value) => value.ToString("N0", Culture);

    /// <summary>An amount with two decimals.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text.</returns>
    public string Amount(decimal value) => value.ToString("N2", Culture);

    /// <summary>A share as a percentage with one decimal.</summary>
    /// <param name="value">The share.</param>
    /// <returns>The text.</returns>
    public string Percent(decimal value) => value.ToString("P1", Culture);

    /// <summary>A share as a whole percentage.</summary>
    /// <param name="value">The share.</param>
    /// <returns>The text.</returns>
    public string Percent0(decimal value) => value.ToString("P0", Culture);

    /// <summary>A date as ISO yyyy-MM-dd (unambiguous in both languages).</summary>
    /// <param name="date">The date.</param>
    /// <returns>The text.</returns>
    public static string Date(NodaTime.LocalDate date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>A month as ISO yyyy-MM.</summary>
    /// <param name="month">The month.</param>
    /// <returns>The text.</returns>
    public static string Month(NodaTime.YearMonth month) => month.ToString("yyyy-MM", CultureInfo.InvariantCulture);
}
