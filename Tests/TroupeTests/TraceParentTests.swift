import Testing
import Troupe

@Suite struct TraceParentTests {
    @Test func theTextIsW3CFormatWithZeroPaddedLowerCaseHex() {
        let trace = TraceParent(traceID: (0x0AF7_6519_16CD_43DD, 0x8448_EB21_1C80_319C), spanID: 0x00B7_AD6B_7169_2033, flags: 1)
        #expect(trace.description == "00-0af7651916cd43dd8448eb211c80319c-00b7ad6b71692033-01")
        let small = TraceParent(traceID: (0, 1), spanID: 2, flags: 0)
        #expect(small.description == "00-00000000000000000000000000000001-0000000000000002-00")
    }

    @Test func everyValueRoundTripsThroughItsText() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0 ..< 2_000 {
            let trace = TraceParent(traceID: (generator.next(), generator.next()), spanID: generator.next(),
                                    flags: UInt8.random(in: 0 ... 255, using: &generator))
            let text = trace.description
            #expect(text.utf8.count == 55)
            #expect(TraceParent(text) == trace)
            #expect(TraceParent(text.uppercased()) == trace, "upper-case hex is read too")
        }
    }

    @Test func textThatIsNotVersion00OfTheFormatIsRefused() {
        let valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        #expect(TraceParent(valid) != nil)
        let invalid = [
            "", "00", "01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",   // another version
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-1",            // short flags
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-011",          // long flags
            "00_0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",           // no dash
            "00-0af7651916cd43dd8448eb211c80319cXb7ad6b7169203331-01",
            "00-0af7651916cd43dd8448eb211c80319g-b7ad6b7169203331-01",           // not hex
            "00-+af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
            "00-00000000000000000000000000000000-b7ad6b7169203331-01",           // zero trace id
            "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",           // zero span id
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01 ",
            "00-0af7651916cd43dd8448eb211c80319c-b7ad6b716920333é-01",           // not ASCII
        ]
        for text in invalid { #expect(TraceParent(text) == nil, "\(text)") }
    }

    @Test func aChildContinuesTheTraceWithANewSpan() {
        var generator = SystemRandomNumberGenerator()
        let root = TraceParent.root(using: &generator)
        let child = root.child(using: &generator)
        #expect(child.traceID == root.traceID && child.flags == root.flags)
        #expect(child.spanID != root.spanID)
    }
}
