import { describeGoldenFrames } from "../fixtures/tunnel/golden-frames.js";

describeGoldenFrames("workerd");
