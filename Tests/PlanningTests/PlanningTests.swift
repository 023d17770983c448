import CostModel
import Foundation
import PhasecastCore
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

private let flatShape = IntradayShape(peakFactor: Array(repeating: 1.5, count: 7), minuteVariation: 0.3, days: 28)

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

    /// Minutes of whole days with a demand of `rate(hour)` GPU-seconds a minute on average,
    /// arriving as Poisson requests of `size` GPU-seconds each, logged 1 in `sampleRate`, each
    /// minute's rate also multiplied by 1 + `extra` × a standard normal draw.
    static func minutes(
        days: ClosedRange<Int64>, size: Double, sampleRate: Double, extra: Double, seed: UInt64,
        rate: (Int) -> Double
    ) -> [IntradayShape.Minute] {
        var random = SplitMix64(seed: seed)
        var rows: [IntradayShape.Minute] = []
        for day in days {
            for minute in 0..<1440 {
                let mean = rate(minute / 60) * max(0, 1 + extra * random.normal()) / size / sampleRate
                // Poisson draw by inversion (means here are small enough).
                var count = 0
                var p = exp(-mean)
                var cumulative = p
                let u = random.uniform()
                while u > cumulative && count < 10_000 {
                    count += 1
                    p *= mean / Double(count)
                    cumulative += p
                }
                guard count > 0 else { continue }
                let seconds = Double(count) * size * sampleRate
                rows.append(
                    IntradayShape.Minute(
                        minute: day * 1440 + Int64(minute), gpuSeconds: seconds,
                        squaredSeconds: Double(count) * sampleRate * size * size, loggedRequests: Double(count)))
            }
        }
        return rows
    }

    @Test func theHourOfWeekProfileFindsTheBusiestHour() {
        let monday = day("2026-11-30")
        // Every hour 60 GPU-s a minute except 14:00, at 180: the day's mean minute is
        // (23 × 60 + 180) ÷ 24 = 65, so the peak factor is 180 ÷ 65.
        let rows = Self.minutes(days: monday...(monday + 13), size: 0.5, sampleRate: 1, extra: 0, seed: 1) {
            $0 == 14 ? 180 : 60
        }
        let shape = IntradayShape.measure(rows, wholeDays: Set(monday...(monday + 13)))
        #expect(shape.days == 14)
        for weekday in 0..<7 { #expect(abs(shape.peakFactor[weekday] - 180 / 65) < 0.05) }
        #expect(IntradayShape.measure([], wholeDays: []) == .flat)
    }

    @Test func minuteVariationIsWhatRemainsWithoutThePoissonPart() {
        let monday = day("2026-11-30")
        let days = monday...(monday + 6)
        // Pure Poisson arrivals of a small, sampled log: the observed busiest minute is far above
        // its hour, but nothing of it is variation a larger fleet would see.
        let poisson = Self.minutes(days: days, size: 2, sampleRate: 50, extra: 0, seed: 2) { _ in 400 }
        let quiet = IntradayShape.measure(poisson, wholeDays: Set(days))
        #expect(quiet.minuteVariation < 0.05)
        #expect(quiet.observedBurst > 1.5)
        // The same with a real 20 % minute-to-minute variation in the rate: measured as such.
        let bursty = Self.minutes(days: days, size: 2, sampleRate: 50, extra: 0.2, seed: 3) { _ in 400 }
        let measured = IntradayShape.measure(bursty, wholeDays: Set(days))
        #expect(abs(measured.minuteVariation - 0.2) < 0.04)
        // E[s²] ÷ E[s] of requests of one size is that size.
        #expect(abs(measured.secondsPerArrival - 2) < 1e-9)
    }
}

@Suite struct PrefillQueueTests {
    @Test func oneWorkerIsMD1AndMoreWorkersRunHotter() {
        let queue = PrefillQueue(serviceSeconds: 0.2, ttftSeconds: 1)
        // M/D/1: TTFT = D + ρD ÷ (2(1 − ρ)) ≤ T  ⇔  ρ ≤ 2(T − D) ÷ (2(T − D) + D) = 1.6 ÷ 1.8.
        #expect(abs(queue.utilizationCap(workers: 1) - 1.6 / 1.8) < 1e-6)
        #expect(abs(queue.ttft(workers: 1, utilization: 0.5) - (0.2 + 0.5 * 0.2 / 1)) < 1e-12)
        let caps = [1, 2, 8, 32].map { queue.utilizationCap(workers: $0) }
        #expect(zip(caps, caps.dropFirst()).allSatisfy { $0 < $1 })
        #expect(caps[3] < 1)
        // Erlang C of 2 servers at ρ = 0.5 (a = 1): B = 1/5, C = B ÷ (1 − ρ(1 − B)) = 1/3.
        #expect(abs(PrefillQueue.erlangC(servers: 2, utilization: 0.5) - 1.0 / 3) < 1e-12)
        #expect(!PrefillQueue(serviceSeconds: 1.2, ttftSeconds: 1).feasible)
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

    @Test func theStackCombinesEverySpreadOnce() {
        var modelled = pool
        modelled.costUncertainty = 0.2563  // P90 error → 1 SD of 0.2
        let demand = [
            DailyDemand(day: 100, median: 40, lower80: 30, upper80: 48, lower95: 25, upper95: 55),
            DailyDemand(day: 101, median: 20, lower80: 15, upper80: 24, lower95: 12, upper95: 30),
        ]
        let shape = IntradayShape(
            peakFactor: Array(repeating: 1.5, count: 7), minuteVariation: 0.3, secondsPerArrival: 0, days: 28)
        let plan = PoolPlan.make(pool: modelled, demand: demand, shape: shape, quantile: 90)
        let z = 1.281_552
        #expect(plan.bindingDay == 100 && plan.dailyGPUHours == 40)
        #expect(abs(plan.meanBusyGPUs - 40 / 24) < 1e-12)
        #expect(abs(plan.peakHourGPUs - 2.5) < 1e-12)  // × 1.5
        // Forecast: (48 − 40) ÷ (z · 40); minute 0.3; cost 0.2; combined in quadrature.
        let forecast = 8 / (z * 40)
        #expect(abs(plan.forecastSpread - forecast) < 1e-12 && abs(plan.costSpread - 0.2) < 1e-3)
        let factor = 1 + z * (forecast * forecast + 0.09 + 0.04).squareRoot()
        #expect(abs(plan.spreadFactor - factor) < 1e-3)
        #expect(abs(plan.sizedGPUs - 2.5 * factor) < 1e-2)
        #expect(abs(plan.provisionedGPUs - plan.sizedGPUs / 0.8) < 1e-12)
        #expect(plan.workers == Int((plan.provisionedGPUs / 2).rounded(.up)))
        #expect(plan.workersWithSpares == plan.workers + 1 && plan.gpus == 2 * plan.workersWithSpares)
        // Without spreads, P90 is the median's peak hour; P50 never adds any.
        let median = PoolPlan.make(pool: modelled, demand: demand, shape: shape, quantile: 50)
        #expect(median.spreadFactor == 1 && abs(median.sizedGPUs - 2.5) < 1e-12)
        // Decode's Poisson noise shrinks with size: 1 GPU-s requests at 2.5 busy GPUs.
        var noisy = shape
        noisy.secondsPerArrival = 1
        let withNoise = PoolPlan.make(pool: modelled, demand: demand, shape: noisy, quantile: 90)
        #expect(abs(withNoise.arrivalNoise - (1 / (60 * 2.5)).squareRoot()) < 1e-12)
    }

    @Test func prefillIsSizedByItsQueueOverThePool() {
        var prefill = pool
        prefill.phase = .prefill
        prefill.tp = 1
        prefill.queue = PrefillQueue(serviceSeconds: 0.5, ttftSeconds: 0.8)
        let plan = PoolPlan.make(
            pool: prefill, demand: [DailyDemand(day: 1, actual: 24 * 6)], shape: flatShape, quantile: 50)
        // 9 busy GPUs in the peak hour; the fewest workers at ≤ 0.8 whose M/D/c TTFT holds.
        #expect(abs(plan.sizedGPUs - 9) < 1e-12)
        let queue = prefill.queue!
        #expect(9 / Double(plan.workers) <= queue.utilizationCap(workers: plan.workers))
        #expect(9 / Double(plan.workers) <= 0.8)
        let fewer = plan.workers - 1
        #expect(9 / Double(fewer) > min(0.8, queue.utilizationCap(workers: fewer)))
        #expect(plan.queueingCap == queue.utilizationCap(workers: plan.workers))
        #expect(plan.arrivalNoise == 0)  // Poisson noise is the queue's, not the spread's
    }

    @Test func theSLACapsPrefillUtilizationWithoutAQueueModel() {
        var prefill = pool
        prefill.phase = .prefill
        prefill.slaUtilizationCap = 0.6
        #expect(prefill.utilization == 0.6)
        let plan = PoolPlan.make(
            pool: prefill, demand: [DailyDemand(day: 1, actual: 24)], shape: flatShape, quantile: 50)
        #expect(abs(plan.provisionedGPUs - 1 * 1.5 / 0.6) < 1e-12)
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
        // P50, no spread: a: 3 busy ÷ 0.8 = 3.75 GPUs → 2 + 1 workers of 2 = 6; b: 6 ÷ 0.8 = 7.5 GPUs
        // → 2 + 1 workers of 4 = 12; 18 GPUs = 3 nodes.
        let fleet = FleetPool.group([a, b])
        #expect(a.gpus == 6 && b.gpus == 12)
        #expect(fleet.count == 1 && fleet[0].nodes == 3 && fleet[0].gpus == 24)
        #expect(abs(fleet[0].total { $0.provisionedGPUs } - 11.25) < 1e-12)
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
        // By hand: busy GPUs x × peak 1.5 × (1 + z·√(0.3² + (band ÷ z90)²)) ÷ 0.8 (the demand is
        // known: no forecast spread), whole workers of TP GPUs, one spare, whole nodes of 8.
        let tp = Double(deployment.tp(.decode))
        let band = deployment.costUncertainty(.decode)
        func need(_ x: Double, _ q: Int) -> Int {
            let spread = (0.09 + (band / 1.281_552) * (band / 1.281_552)).squareRoot()
            let z = q == 90 ? 1.281_552 : 0
            let workers = (x * 1.5 * (1 + z * spread) / 0.8 / tp).rounded(.up) + 1
            return Int((workers * tp / 8).rounded(.up)) * 8
        }
        let expected50 = try #require(days.first { need(Double($0 - 100), 50) > 64 })
        let expected90 = try #require(days.first { need(Double($0 - 100), 90) > 64 })
        #expect(expected90 < expected50)
        #expect(pool.exceededOn[50] == expected50 && pool.exceededOn[90] == expected90)
        #expect(pool.orderBy(50) == expected50 - 30)
        #expect(pool.installed == 64 && pool.peakNeed[50] == need(60, 50) && pool.peakNeed[90] == need(60, 90))
        // A delivery of 16 arriving before that day moves it to the first day past 80 GPUs; one
        // arriving after it leaves it where it was.
        let early = InstalledFleet(
            leadTimeDays: 30, gpus: [.decode: ["H200 SXM": 64]],
            deliveries: [.decode: ["H200 SXM": [InstalledFleet.Delivery(day: expected50 - 1, gpus: 16)]]])
        let later = try #require(days.first { need(Double($0 - 100), 50) > 80 })
        let delivered = try #require(planner.installedPools([model], fleet: early).first { $0.phase == .decode })
        #expect(delivered.exceededOn[50] == later && delivered.installed == 64 && delivered.deliveries.count == 1)
        let late = InstalledFleet(
            leadTimeDays: 30, gpus: [.decode: ["H200 SXM": 64]],
            deliveries: [.decode: ["H200 SXM": [InstalledFleet.Delivery(day: expected50 + 1, gpus: 16)]]])
        #expect(
            planner.installedPools([model], fleet: late).first { $0.phase == .decode }?.exceededOn[50] == expected50)
        // A pool the fleet lacks is short from the first day it needs a GPU.
        #expect(pools.allSatisfy { $0.phase == .decode })
        let none = planner.installedPools([model], fleet: InstalledFleet(leadTimeDays: 30, gpus: [:]))
        #expect(none.first?.exceededOn[90] == 101 && none.first?.installed == 0)
    }
}

@Suite struct PlanLedgerTests {
    /// Two pools over two hours: decode ramps from 1 to 12 busy GPUs, prefill holds 3 with a
    /// spike to 7 every 20th minute.
    static let decodeDemand = (0..<120).map { 1 + 11 * Double($0) / 119 }
    static let prefillDemand = (0..<120).map { $0 % 20 == 19 ? 7.0 : 3.0 }
    static let queue = PrefillQueue(serviceSeconds: 0.2, ttftSeconds: 1)

    static var pools: [ReplayPool] {
        [
            ReplayPool(
                model: "m", phase: .decode, gpu: "H200 SXM", tp: 2, demand: decodeDemand, before: [1, 1, 1],
                pricePerHour: 3, queue: nil, slaUtilization: 1),
            ReplayPool(
                model: "m", phase: .prefill, gpu: "H100 SXM", tp: 1, demand: prefillDemand, before: [3, 3, 3],
                pricePerHour: 2, queue: queue, slaUtilization: queue.utilizationCap(workers: 1)),
        ]
    }

    @Test func aFixedPlanIsShortExactlyWhereDemandPassesItsServingGPUs() {
        // Decode: 4 workers of TP 2 serve 8 GPUs, one spare makes 10 paid. Prefill: 5 workers
        // serve 5, one spare makes 6 paid.
        let given = [
            Provision(workers: 4, servingGPUs: 8, paidGPUs: 10), Provision(workers: 5, servingGPUs: 5, paidGPUs: 6),
        ]
        let totals = PlanLedger.replay(Self.pools) { index, _ in given[index] }
        // An independent recount, minute by minute.
        var short = 0
        var sla = 0
        var worst = 0.0
        var idle = 0.0
        var dollars = 0.0
        for minute in 0..<120 {
            let d = Self.decodeDemand[minute]
            let p = Self.prefillDemand[minute]
            let shortfall = max(0, d - 8) + max(0, p - 5)
            if shortfall > 0 { short += 1 }
            worst = max(worst, shortfall)
            let prefillLate = Self.queue.ttft(workers: 5, utilization: p / 5) > 1
            if d > 8 || p > 5 || prefillLate { sla += 1 }
            idle += (10 - min(d, 8)) / 60 + (6 - min(p, 5)) / 60
            dollars += (10 - min(d, 8)) / 60 * 3 + (6 - min(p, 5)) / 60 * 2
        }
        #expect(totals.minutes == 120 && totals.shortMinutes == short && totals.slaMinutes == sla)
        #expect(short > 0 && short < 120)
        #expect(abs(totals.worstShortfallGPUs - worst) < 1e-9)
        #expect(abs(totals.idleGPUHours - idle) < 1e-9 && abs(totals.idleDollars - dollars) < 1e-9)
        #expect(abs(totals.busyGPUHours - (Self.decodeDemand + Self.prefillDemand).reduce(0, +) / 60) < 1e-9)
        // 15-minute intervals: short when a pool's demand over the interval passes its capacity.
        var shortIntervals = 0
        for start in stride(from: 0, to: 120, by: 15) {
            let d = Self.decodeDemand[start..<(start + 15)].reduce(0, +)
            let p = Self.prefillDemand[start..<(start + 15)].reduce(0, +)
            if d > 8 * 15 || p > 5 * 15 { shortIntervals += 1 }
        }
        #expect(totals.intervals == 8 && totals.shortIntervals == shortIntervals)
    }

    @Test func theReactivePlannerProvisionsTheLastIntervalsLoad() {
        let totals = PlanLedger.replayReactive(Self.pools, intervalMinutes: 3)
        // Recount: every 3 minutes, ⌈mean of the last 3 minutes ÷ rate ÷ TP⌉ workers, at least 1.
        var paid = 0.0
        var short = 0
        for minute in 0..<120 {
            var anyShort = false
            for (pool, demand) in zip(Self.pools, [Self.decodeDemand, Self.prefillDemand]) {
                let start = minute / 3 * 3
                let window = start == 0 ? pool.before : Array(demand[(start - 3)..<start])
                let load = window.reduce(0, +) / 3
                let workers = max(1, Int((load / pool.slaUtilization / Double(pool.tp) - 1e-9).rounded(.up)))
                paid += Double(workers * pool.tp) / 60
                if demand[minute] > Double(workers * pool.tp) + 1e-9 { anyShort = true }
            }
            if anyShort { short += 1 }
        }
        #expect(abs(totals.provisionedGPUHours - paid) < 1e-9)
        #expect(totals.shortMinutes == short && short > 0)
    }

    @Test func sampledMinutesKeepOnlyTheWholeTrafficsNoise() {
        // Unsampled minutes pass through untouched.
        let demand = [1.0, 3, 2, 6, 0, 4]
        #expect(
            PlanLedger.wholeTrafficMinutes(demand: demand, logged: demand, sampleRate: Array(repeating: 1, count: 6))
                == demand)
        // Counts no more dispersed than Poisson, from a 1-in-100 log: all of the deviation is
        // sampling noise, so it shrinks to √(1/100) of itself and the mean stays.
        let counts = (0..<60).map { $0 % 2 == 0 ? 16.0 : 24 }
        let scaled = counts.map { $0 * 100 * 0.01 }
        let rates = Array(repeating: 100.0, count: 60)
        let whole = PlanLedger.wholeTrafficMinutes(demand: scaled, logged: counts, sampleRate: rates)
        #expect(abs(whole.reduce(0, +) - scaled.reduce(0, +)) < 1e-9)
        #expect(abs(whole[0] - (20 - 4 * 0.1)) < 1e-9 && abs(whole[1] - (20 + 4 * 0.1)) < 1e-9)
        // Overdispersed counts (10, 30: variance 6000 ÷ 59 against a mean of 20): the Poisson share
        // 20 ÷ variance shrinks by 1/N, the rest is kept.
        let bursty = (0..<60).map { $0 % 2 == 0 ? 10.0 : 30 }
        let poissonShare = 20 / (6000.0 / 59)
        let factor = ((1 - poissonShare) + poissonShare / 100).squareRoot()
        let kept = PlanLedger.wholeTrafficMinutes(demand: bursty, logged: bursty, sampleRate: rates)
        #expect(abs(kept[0] - (20 - 10 * factor)) < 1e-9)
    }
}
