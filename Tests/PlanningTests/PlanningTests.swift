import CostModel
import Foundation
import Testing

@testable import Planning

/// A day since the epoch from a civil date, computed here with Foundation (not Planning).
private func day(_ text: String) -> Int64 {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    let parts = text.split(separator: "-").map { Int($0)! }
    let date = calendar.date(from: DateComponents(year: parts[0], month: parts[1], day: parts[2]))!
    return Int64(date.timeIntervalSince1970 / 86_400)
}

private let flatShape = IntradayShape(peakFactor: Array(repeating: 1.5, count: 7), burstFactor: 1.2, days: 28)

@Suite struct DemandTests {
    @Test func quantilesComeFromTheIntervalBounds() {
        let d = DailyDemand(day: 0, median: 10, lower80: 8, upper80: 12, lower95: 7, upper95: 14)
        #expect(d.quantile(50) == 10 && d.quantile(90) == 12)
        // z.95 = 1.6449, z.90 = 1.2816, z.975 = 1.9600: P95 is 0.5355 of the way from 12 to 14.
        #expect(abs(d.quantile(95) - (12 + 2 * (1.6449 - 1.2816) / (1.9600 - 1.2816))) < 1e-3)
    }

    @Test func weekdaysStartOnMonday() {
        #expect(DailyDemand(day: day("2026-11-30"), actual: 0).weekday == 0)  // a Monday
        #expect(DailyDemand(day: day("2026-11-29"), actual: 0).weekday == 6)  // a Sunday
        #expect(DailyDemand(day: 0, actual: 0).weekday == 3)  // 1 Jan 1970, a Thursday
    }

    @Test func theIntradayShapeAveragesEachWeekday() {
        let monday = day("2026-11-30")
        let days = [
            IntradayShape.Day(day: monday, gpuHours: 24, peakHourGPUHours: 2, peakMinuteRate: 30, peakHourRate: 20),
            IntradayShape.Day(day: monday + 7, gpuHours: 48, peakHourGPUHours: 8, peakMinuteRate: 10, peakHourRate: 10),
            IntradayShape.Day(day: monday + 1, gpuHours: 24, peakHourGPUHours: 3, peakMinuteRate: 0, peakHourRate: 0),
        ]
        let shape = IntradayShape.measure(days)
        #expect(shape.peakFactor[0] == 3)  // Mondays: 2 ÷ 1 and 8 ÷ 2, averaged
        #expect(shape.peakFactor[1] == 3)  // Tuesday: 3 ÷ 1
        #expect(abs(shape.peakFactor[4] - 3) < 1e-12)  // no Friday: the mean of all days, (2 + 4 + 3) ÷ 3
        #expect(shape.burstFactor == 1.25)  // 1.5 and 1.0
        #expect(IntradayShape.measure([]).peakFactor == Array(repeating: 1, count: 7))
    }
}

@Suite struct HorizonTests {
    @Test func quartersEndOnTheirLastDay() {
        let cutoff = day("2026-11-27")
        let quarter = Horizon.resolve("quarter", cutoffDay: cutoff, forecastLastDay: cutoff + 400)!
        #expect(quarter.lastDay == day("2026-12-31") && quarter.label == "by 31 Dec 2026" && !quarter.truncated)
        let next = Horizon.resolve("next-quarter", cutoffDay: cutoff, forecastLastDay: cutoff + 400)!
        #expect(next.lastDay == day("2027-03-31"))
        #expect(Horizon.quarterEnd(containing: day("2027-03-31"), skipping: 0) == day("2027-03-31"))
        #expect(Horizon.quarterEnd(containing: day("2028-02-10"), skipping: 1) == day("2028-06-30"))
    }

    @Test func aHorizonPastTheForecastIsCutAndSaysSo() {
        let cutoff = day("2026-11-27")
        let h = Horizon.resolve("90d", cutoffDay: cutoff, forecastLastDay: cutoff + 30)!
        #expect(h.firstDay == cutoff + 1 && h.lastDay == cutoff + 30 && h.truncated && h.label == "next 90 days")
        #expect(Horizon.resolve("banana", cutoffDay: cutoff, forecastLastDay: cutoff + 30) == nil)
        #expect(Horizon.isoDate(day("2024-02-29")) == "2024-02-29")
    }
}

@Suite struct PoolPlanTests {
    let pool = Pool(
        model: "m", phase: .decode, gpu: "H200 SXM", tp: 2, gpusPerNode: 8, targetUtilization: 0.8,
        slaUtilizationCap: nil,
        spareWorkers: 1)

    @Test func theStackAppliesEachAllowanceInOrder() {
        let demand = [
            DailyDemand(day: 100, median: 40, lower80: 30, upper80: 48, lower95: 25, upper95: 55),
            DailyDemand(day: 101, median: 20, lower80: 15, upper80: 24, lower95: 12, upper95: 30),
        ]
        let plan = PoolPlan.make(pool: pool, demand: demand, shape: flatShape, quantile: 90)
        #expect(plan.bindingDay == 100 && plan.dailyGPUHours == 48)
        #expect(plan.meanBusyGPUs == 2)  // 48 ÷ 24
        #expect(abs(plan.peakHourGPUs - 3) < 1e-12)  // × 1.5
        #expect(abs(plan.burstGPUs - 3.6) < 1e-12)  // × 1.2
        #expect(abs(plan.provisionedGPUs - 4.5) < 1e-12)  // ÷ 0.8
        #expect(plan.workers == 3)  // ⌈4.5 ÷ 2⌉
        #expect(plan.workersWithSpares == 4 && plan.gpus == 8)
        let fleet = FleetPool.group([plan])
        #expect(fleet.count == 1 && fleet[0].nodes == 1 && fleet[0].gpus == 8)
    }

    @Test func theSLACapsPrefillUtilization() {
        var prefill = pool
        prefill.phase = .prefill
        prefill.slaUtilizationCap = 0.6
        #expect(prefill.utilization == 0.6)
        let plan = PoolPlan.make(
            pool: prefill, demand: [DailyDemand(day: 1, actual: 24)], shape: flatShape, quantile: 50)
        #expect(abs(plan.provisionedGPUs - 1 * 1.5 * 1.2 / 0.6) < 1e-12)
    }

    @Test func noDemandNeedsNoWorkersAndNoSpares() {
        let plan = PoolPlan.make(pool: pool, demand: [DailyDemand(day: 1, actual: 0)], shape: flatShape, quantile: 95)
        #expect(plan.workers == 0 && plan.workersWithSpares == 0 && plan.gpus == 0)
    }

    @Test func poolsOfOneGPUTypeShareNodes() {
        var other = pool
        other.model = "n"
        other.tp = 4
        let a = PoolPlan.make(pool: pool, demand: [DailyDemand(day: 1, actual: 48)], shape: flatShape, quantile: 50)
        let b = PoolPlan.make(pool: other, demand: [DailyDemand(day: 1, actual: 96)], shape: flatShape, quantile: 50)
        // a: 4.5 GPUs → 3 + 1 workers of 2 = 8; b: 9 GPUs → 3 + 1 workers of 4 = 16; 24 GPUs = 3 nodes.
        let fleet = FleetPool.group([a, b])
        #expect(a.gpus == 8 && b.gpus == 16)
        #expect(fleet.count == 1 && fleet[0].nodes == 3 && fleet[0].gpus == 24)
        #expect(abs(fleet[0].total { $0.provisionedGPUs } - 13.5) < 1e-12)
    }
}

@Suite struct ScenarioAndBaselineTests {
    static let catalog = try! Catalog.bundled()
    static let estimator = CostEstimator(catalog: catalog)
    static let deployment = try! ModelDeployment(
        model: "chat", profile: DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H200", precision: .fp8),
        workload: Workload(promptTokens: 2000, cachedTokens: 0, outputTokens: 400), estimator: estimator)

    @Test func growthMultipliesBothPhases() throws {
        let applied = try Scenario(name: "g", growth: 1.5).apply(to: Self.deployment, estimator: Self.estimator)
        #expect(abs(applied[.prefill]!.1 - 1.5) < 1e-9 && abs(applied[.decode]!.1 - 1.5) < 1e-9)
    }

    @Test func aCacheHitRateCutsPrefillWorkOnly() throws {
        let applied = try Scenario(name: "c", cacheHitRate: 0.5).apply(to: Self.deployment, estimator: Self.estimator)
        // Half the prompt cached: linear work halves, attention work falls by 1 − 0.5² = 0.75.
        #expect(applied[.prefill]!.1 < 0.6 && applied[.prefill]!.1 > 0.4)
        #expect(abs(applied[.decode]!.1 - 1) < 1e-9)
    }

    @Test func anotherPrefillGPUChangesPrefillOnly() throws {
        let applied = try Scenario(name: "b", prefillGPU: "B200").apply(to: Self.deployment, estimator: Self.estimator)
        #expect(applied[.prefill]!.0.profile.gpu == "B200" && applied[.prefill]!.1 < 1)
        #expect(applied[.decode]!.0.profile.gpu == "H200" && abs(applied[.decode]!.1 - 1) < 1e-9)
        #expect(Scenario(name: "x", models: "chat-*").applies(to: "chat-70b"))
        #expect(!Scenario(name: "x", models: "chat-*").applies(to: "code-32b"))
    }

    @Test func coLocatedServingMeetsTheInterferenceCondition() throws {
        let model = try Self.estimator.model(Self.deployment.profile)
        let d = Self.deployment
        let layout = d.estimate.decode.layout
        // Decode only: the busy GPUs are the decode tokens over the decode rate at the ITL target.
        let decodeOnly = try #require(
            try AggregatedBaseline.busyGPUs(
                prefillTokensPerSecond: 0, decodeTokensPerSecond: 50_000, deployment: d, catalog: Self.catalog))
        let rate = model.decode(d.workload, layout: layout, itlMs: d.profile.itlMs).tokensPerSecondPerGPU
        #expect(abs(decodeOnly - 50_000 / rate) / (50_000 / rate) < 0.01)
        // With prefill, the answer N satisfies decode ÷ N = (1 − ρ)·rate(ITL·(1 − ρ)).
        let n = try #require(
            try AggregatedBaseline.busyGPUs(
                prefillTokensPerSecond: 100_000, decodeTokensPerSecond: 50_000, deployment: d, catalog: Self.catalog))
        let prefillRate = model.prefill(d.workload, layout: layout, ttftMs: .greatestFiniteMagnitude)
            .tokensPerSecondPerGPU
        let rho = 100_000 / prefillRate / n
        let served =
            (1 - rho)
            * model.decode(d.workload, layout: layout, itlMs: d.profile.itlMs * (1 - rho)).tokensPerSecondPerGPU
        #expect(50_000 / n <= served * 1.000_001)
        #expect(n > decodeOnly + 100_000 / prefillRate * 0.99)
    }
}

@Suite struct InstalledFleetTests {
    @Test func theShortDayIsTheFirstWhoseWholeStackExceedsTheInstalledGPUs() throws {
        let catalog = try Catalog.bundled()
        let estimator = CostEstimator(catalog: catalog)
        let deployment = try ModelDeployment(
            model: "chat", profile: DeploymentProfile(llm: "Llama-3.1-70B", gpu: "H200", precision: .fp8),
            workload: Workload(promptTokens: 2000, cachedTokens: 0, outputTokens: 400), estimator: estimator)
        // Decode demand rising by one busy GPU a day from day 101; no prefill demand.
        let days: [Int64] = Array(101...160)
        let decode = days.map { DailyDemand(day: $0, actual: 24 * Double($0 - 100)) }
        let model = ModelDemand(
            deployment: deployment,
            forecast: [.decode: decode, .prefill: days.map { DailyDemand(day: $0, actual: 0) }],
            recent: [:], shape: [.decode: flatShape, .prefill: flatShape])
        var policy = PlanPolicy()
        policy.spareWorkers = 1
        let planner = CapacityPlanner(policy: policy, catalog: catalog)
        let fleet = InstalledFleet(leadTimeDays: 30, gpus: [.decode: ["H200 SXM": 64]])
        let pools = planner.installedPools([model], fleet: fleet)
        let pool = try #require(pools.first { $0.phase == .decode && $0.gpu == "H200 SXM" })
        // By hand: busy GPUs x × peak 1.5 × burst 1.2 × (1 + cost band) ÷ 0.8, whole workers of
        // TP GPUs, one spare, whole nodes of 8.
        let tp = Double(deployment.tp(.decode))
        let band = deployment.costUncertainty(.decode)
        func need(_ x: Double) -> Int {
            let workers = (x * 1.5 * 1.2 * (1 + band) / 0.8 / tp).rounded(.up) + 1
            return Int((workers * tp / 8).rounded(.up)) * 8
        }
        let expected = try #require(days.first { need(Double($0 - 100)) > 64 })
        #expect(pool.exceededOn[50] == expected && pool.exceededOn[90] == expected)
        #expect(pool.orderBy(50) == expected - 30)
        #expect(pool.installed == 64 && pool.peakNeed[50] == need(60))
        // A pool the fleet lacks is short from the first day it needs a GPU.
        #expect(pools.allSatisfy { $0.phase == .decode })
        let none = planner.installedPools([model], fleet: InstalledFleet(leadTimeDays: 30, gpus: [:]))
        #expect(none.first?.exceededOn[90] == 101 && none.first?.installed == 0)
    }
}
