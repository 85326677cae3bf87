/**
 * WebAssembly SIMD loops of the training kernels, as WebAssembly text. They import the wasm
 * backend's own memory, so they read and write tensors where they lie (byte offsets on the heap,
 * as the JavaScript band loops do). Node compiles this text with wabt (main/training/wasm-kernels/simd-init)
 * and instantiates it on every thread that runs bands; ./simd-kernels says how a band loop reaches it.
 *
 * dwFilterBand: one band of DepthwiseConv2dNativeBackpropFilter with channel multiplier 1, the
 * filter elements [kh, kwLo..kwHi−1, c0..c1−1] ((c1 − c0) a multiple of 4). Same loop order as the
 * JavaScript band (./depthwise-backprop-filter): for each (b, oh) whose input row ih is inside, each
 * tap kw and each 4 channels, the products along the row ow are summed in float32 lanes (two
 * partial sums, even and odd ow, added at the end of the row), and each row's sum is added to a
 * float64 accumulator at `acc` ((kwHi − kwLo)·(c1 − c0) doubles of scratch owned by the band).
 * The band's result depends only on its arguments, so it is the same on any thread.
 *
 * atbBand: the part of C = Aᵀ·B (A [K×lda], B [K×ldb], row-major) summed over rows k0..k1−1, for
 * the columns 0..M−1 of A and 0..N−1 of B (M a multiple of 4, N of 8), written as float32 [M×N] at
 * `out` (or, with `accumulate` 1, added to the float32 values there, each tile's sum starting from
 * them). Tiles of 4 rows of C by 8 columns, each summed over k in order in eight float32x4
 * registers. M and N may exceed lda and ldb (rounded up to the tiles): the extra columns read the
 * next row's values (or up to 7 floats past the end of the last row) and only make C's extra rows
 * and columns, which the caller drops. For products with a long K and a small M·N (the filter
 * gradient of a 1×1 convolution), where XNNPACK's matrix product parallelises badly.
 *
 * leakyReluGrad: dx = x > 0 ? dy : dy·alpha over n float32 elements, 4 per instruction (a mask and a
 * bit select), the tail one by one: the bits of tfjs's where(greater(x, 0), dy, mul(dy, alpha)).
 *
 * relu6Grad: dx = dy · (0 < y < 6 ? 1 : 0) over n float32 elements from ReLU6's output y, 4 per
 * instruction (two compares, a mask of 1.0 and a product), the tail one by one: the bits of
 * mul(dy, mul(step(y), step(6 − y))), −0 for a negative dy outside the range included.
 *
 * maxPoolGradBand: MaxPoolGrad for image b and channels c0..c1−1 (a multiple of 4), 4 channels per
 * instruction, exactly as ./max-pool-grad's JavaScript band: each window's taps scanned last to
 * first, the first position equal to the forward maximum kept per lane, then dx[position] += dy lane
 * by lane in channel order (so the same additions in the same order, the same bits).
 *
 * Browser-safe: text only.
 */

/** The module's text; `shared`: the heap is the threaded build's shared memory. */
export function simdKernelsWat(shared: boolean): string {
  const memory = shared ? '(memory 1 65536 shared)' : '(memory 1)';
  return `(module
  (import "env" "memory" ${memory})
  (func (export "dwFilterBand")
    (param $x i32) (param $dy i32) (param $out i32) (param $acc i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $inC i32) (param $outH i32) (param $outW i32)
    (param $kW i32) (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32)
    (param $kh i32) (param $kwLo i32) (param $kwHi i32) (param $c0 i32) (param $c1 i32)
    (local $b i32) (local $oh i32) (local $ih i32) (local $kw i32) (local $c i32)
    (local $owLo i32) (local $owHi i32) (local $n i32) (local $t i32)
    (local $xRow i32) (local $dyRow i32) (local $xp i32) (local $dp i32)
    (local $xStep i32) (local $dStep i32) (local $ap i32) (local $width i32) (local $i i32) (local $end i32)
    (local $s0 v128) (local $s1 v128)
    (local.set $width (i32.sub (local.get $c1) (local.get $c0)))
    (local.set $xStep (i32.shl (i32.mul (local.get $sW) (local.get $inC)) (i32.const 2)))
    (local.set $dStep (i32.shl (local.get $inC) (i32.const 2)))
    ;; zero the accumulators
    (local.set $end (i32.add (local.get $acc) (i32.shl (i32.mul (i32.sub (local.get $kwHi) (local.get $kwLo)) (local.get $width)) (i32.const 3))))
    (local.set $i (local.get $acc))
    (block $zEnd (loop $zLoop
      (br_if $zEnd (i32.ge_u (local.get $i) (local.get $end)))
      (f64.store (local.get $i) (f64.const 0))
      (local.set $i (i32.add (local.get $i) (i32.const 8)))
      (br $zLoop)))
    (local.set $b (i32.const 0))
    (block $bEnd (loop $bLoop
      (br_if $bEnd (i32.ge_s (local.get $b) (local.get $batch)))
      (local.set $oh (i32.const 0))
      (block $ohEnd (loop $ohLoop
        (br_if $ohEnd (i32.ge_s (local.get $oh) (local.get $outH)))
        (local.set $ih (i32.sub (i32.add (i32.mul (local.get $oh) (local.get $sH)) (local.get $kh)) (local.get $pT)))
        (if (i32.and (i32.ge_s (local.get $ih) (i32.const 0)) (i32.lt_s (local.get $ih) (local.get $inH)))
          (then
            (local.set $xRow (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $ih)) (local.get $inW)))
            (local.set $dyRow (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $oh)) (local.get $outW)))
            (local.set $kw (local.get $kwLo))
            (block $kwEnd (loop $kwLoop
              (br_if $kwEnd (i32.ge_s (local.get $kw) (local.get $kwHi)))
              ;; the outputs whose tap kw lands inside the row: owLo = ceil((pL − kw) / sW) clamped to [0, outW],
              ;; owHi = floor((inW − 1 + pL − kw) / sW) + 1 clamped to [0, outW]
              (local.set $t (i32.sub (local.get $pL) (local.get $kw)))
              (local.set $owLo (select (i32.const 0) (i32.div_s (i32.sub (i32.add (local.get $t) (local.get $sW)) (i32.const 1)) (local.get $sW)) (i32.le_s (local.get $t) (i32.const 0))))
              (if (i32.gt_s (local.get $owLo) (local.get $outW)) (then (local.set $owLo (local.get $outW))))
              (local.set $t (i32.sub (i32.add (local.get $inW) (local.get $t)) (i32.const 1)))
              (local.set $owHi (select (i32.const 0) (i32.add (i32.div_s (local.get $t) (local.get $sW)) (i32.const 1)) (i32.lt_s (local.get $t) (i32.const 0))))
              (if (i32.gt_s (local.get $owHi) (local.get $outW)) (then (local.set $owHi (local.get $outW))))
              (local.set $n (i32.sub (local.get $owHi) (local.get $owLo)))
              (if (i32.gt_s (local.get $n) (i32.const 0)) (then
                (local.set $ap (i32.add (local.get $acc) (i32.shl (i32.mul (i32.sub (local.get $kw) (local.get $kwLo)) (local.get $width)) (i32.const 3))))
                (local.set $c (local.get $c0))
                (block $cEnd (loop $cLoop
                  (br_if $cEnd (i32.ge_s (local.get $c) (local.get $c1)))
                  ;; x[(xRow + owLo·sW + kw − pL)·inC + c], dy[(dyRow + owLo)·inC + c]
                  (local.set $xp (i32.add (local.get $x) (i32.shl (i32.add (i32.mul (i32.sub (i32.add (local.get $xRow) (i32.mul (local.get $owLo) (local.get $sW))) (i32.sub (local.get $pL) (local.get $kw))) (local.get $inC)) (local.get $c)) (i32.const 2))))
                  (local.set $dp (i32.add (local.get $dy) (i32.shl (i32.add (i32.mul (i32.add (local.get $dyRow) (local.get $owLo)) (local.get $inC)) (local.get $c)) (i32.const 2))))
                  (local.set $s0 (v128.const i32x4 0 0 0 0))
                  (local.set $s1 (v128.const i32x4 0 0 0 0))
                  (local.set $i (local.get $n))
                  (block $pEnd (loop $pLoop
                    (br_if $pEnd (i32.lt_s (local.get $i) (i32.const 2)))
                    (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $xp)) (v128.load (local.get $dp)))))
                    (local.set $s1 (f32x4.add (local.get $s1) (f32x4.mul (v128.load (i32.add (local.get $xp) (local.get $xStep))) (v128.load (i32.add (local.get $dp) (local.get $dStep))))))
                    (local.set $xp (i32.add (local.get $xp) (i32.shl (local.get $xStep) (i32.const 1))))
                    (local.set $dp (i32.add (local.get $dp) (i32.shl (local.get $dStep) (i32.const 1))))
                    (local.set $i (i32.sub (local.get $i) (i32.const 2)))
                    (br $pLoop)))
                  (if (local.get $i) (then
                    (local.set $s0 (f32x4.add (local.get $s0) (f32x4.mul (v128.load (local.get $xp)) (v128.load (local.get $dp)))))))
                  (local.set $s0 (f32x4.add (local.get $s0) (local.get $s1)))
                  (local.set $t (i32.add (local.get $ap) (i32.shl (i32.sub (local.get $c) (local.get $c0)) (i32.const 3))))
                  (v128.store (local.get $t) (f64x2.add (v128.load (local.get $t)) (f64x2.promote_low_f32x4 (local.get $s0))))
                  (v128.store offset=16 (local.get $t) (f64x2.add (v128.load offset=16 (local.get $t))
                    (f64x2.promote_low_f32x4 (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $s0) (local.get $s0)))))
                  (local.set $c (i32.add (local.get $c) (i32.const 4)))
                  (br $cLoop)))))
              (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
              (br $kwLoop)))))
        (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
        (br $ohLoop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $bLoop)))
    ;; out[(kh·kW + kw)·inC + c] = the accumulator, rounded to float32
    (local.set $kw (local.get $kwLo))
    (block $oEnd (loop $oLoop
      (br_if $oEnd (i32.ge_s (local.get $kw) (local.get $kwHi)))
      (local.set $ap (i32.add (local.get $acc) (i32.shl (i32.mul (i32.sub (local.get $kw) (local.get $kwLo)) (local.get $width)) (i32.const 3))))
      (local.set $t (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (i32.add (i32.mul (local.get $kh) (local.get $kW)) (local.get $kw)) (local.get $inC)) (local.get $c0)) (i32.const 2))))
      (local.set $i (i32.const 0))
      (block $wEnd (loop $wLoop
        (br_if $wEnd (i32.ge_s (local.get $i) (local.get $width)))
        (f32.store (i32.add (local.get $t) (i32.shl (local.get $i) (i32.const 2))) (f32.demote_f64 (f64.load (i32.add (local.get $ap) (i32.shl (local.get $i) (i32.const 3))))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $wLoop)))
      (local.set $kw (i32.add (local.get $kw) (i32.const 1)))
      (br $oLoop))))
  (func (export "atbBand") (param $a i32) (param $b i32) (param $out i32) (param $M i32) (param $N i32) (param $lda i32) (param $ldb i32) (param $k0 i32) (param $k1 i32) (param $accumulate i32)
    (local $m i32) (local $n i32) (local $k i32) (local $ap i32) (local $bp i32) (local $aStep i32) (local $bStep i32) (local $op i32) (local $oStep i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $x v128)
    (local.set $aStep (i32.shl (local.get $lda) (i32.const 2)))
    (local.set $bStep (i32.shl (local.get $ldb) (i32.const 2)))
    (local.set $oStep (i32.shl (local.get $N) (i32.const 2)))
    (local.set $m (i32.const 0))
    (block $mEnd (loop $mLoop
      (br_if $mEnd (i32.ge_s (local.get $m) (local.get $M)))
      (local.set $n (i32.const 0))
      (block $nEnd (loop $nLoop
        (br_if $nEnd (i32.ge_s (local.get $n) (local.get $N)))
        (local.set $c00 (v128.const i32x4 0 0 0 0)) (local.set $c01 (v128.const i32x4 0 0 0 0))
        (local.set $c10 (v128.const i32x4 0 0 0 0)) (local.set $c11 (v128.const i32x4 0 0 0 0))
        (local.set $c20 (v128.const i32x4 0 0 0 0)) (local.set $c21 (v128.const i32x4 0 0 0 0))
        (local.set $c30 (v128.const i32x4 0 0 0 0)) (local.set $c31 (v128.const i32x4 0 0 0 0))
        (if (local.get $accumulate) (then
          (local.set $op (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $N)) (local.get $n)) (i32.const 2))))
          (local.set $c00 (v128.load (local.get $op))) (local.set $c01 (v128.load offset=16 (local.get $op)))
          (local.set $op (i32.add (local.get $op) (local.get $oStep)))
          (local.set $c10 (v128.load (local.get $op))) (local.set $c11 (v128.load offset=16 (local.get $op)))
          (local.set $op (i32.add (local.get $op) (local.get $oStep)))
          (local.set $c20 (v128.load (local.get $op))) (local.set $c21 (v128.load offset=16 (local.get $op)))
          (local.set $op (i32.add (local.get $op) (local.get $oStep)))
          (local.set $c30 (v128.load (local.get $op))) (local.set $c31 (v128.load offset=16 (local.get $op)))))
        (local.set $ap (i32.add (local.get $a) (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $lda)) (local.get $m)) (i32.const 2))))
        (local.set $bp (i32.add (local.get $b) (i32.shl (i32.add (i32.mul (local.get $k0) (local.get $ldb)) (local.get $n)) (i32.const 2))))
        (local.set $k (local.get $k0))
        (block $kEnd (loop $kLoop
          (br_if $kEnd (i32.ge_s (local.get $k) (local.get $k1)))
          (local.set $b0 (v128.load (local.get $bp)))
          (local.set $b1 (v128.load offset=16 (local.get $bp)))
          (local.set $x (v128.load32_splat (local.get $ap)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=4 (local.get $ap)))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=8 (local.get $ap)))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $x (v128.load32_splat offset=12 (local.get $ap)))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $x) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $x) (local.get $b1))))
          (local.set $ap (i32.add (local.get $ap) (local.get $aStep)))
          (local.set $bp (i32.add (local.get $bp) (local.get $bStep)))
          (local.set $k (i32.add (local.get $k) (i32.const 1)))
          (br $kLoop)))
        (local.set $op (i32.add (local.get $out) (i32.shl (i32.add (i32.mul (local.get $m) (local.get $N)) (local.get $n)) (i32.const 2))))
        (v128.store (local.get $op) (local.get $c00)) (v128.store offset=16 (local.get $op) (local.get $c01))
        (local.set $op (i32.add (local.get $op) (local.get $oStep)))
        (v128.store (local.get $op) (local.get $c10)) (v128.store offset=16 (local.get $op) (local.get $c11))
        (local.set $op (i32.add (local.get $op) (local.get $oStep)))
        (v128.store (local.get $op) (local.get $c20)) (v128.store offset=16 (local.get $op) (local.get $c21))
        (local.set $op (i32.add (local.get $op) (local.get $oStep)))
        (v128.store (local.get $op) (local.get $c30)) (v128.store offset=16 (local.get $op) (local.get $c31))
        (local.set $n (i32.add (local.get $n) (i32.const 8)))
        (br $nLoop)))
      (local.set $m (i32.add (local.get $m) (i32.const 4)))
      (br $mLoop))))
  (func (export "leakyReluGrad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32) (param $alpha f32)
    (local $i i32) (local $end4 i32) (local $a v128) (local $d v128) (local $o i32)
    (local.set $a (f32x4.splat (local.get $alpha)))
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $vEnd (loop $vLoop
      (br_if $vEnd (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $d (v128.load (i32.add (local.get $dy) (local.get $o))))
      (v128.store (i32.add (local.get $out) (local.get $o))
        (v128.bitselect (local.get $d) (f32x4.mul (local.get $d) (local.get $a))
          (f32x4.gt (v128.load (i32.add (local.get $x) (local.get $o))) (v128.const f32x4 0 0 0 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vLoop)))
    (block $sEnd (loop $sLoop
      (br_if $sEnd (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (f32.store (i32.add (local.get $out) (local.get $o))
        (select (f32.load (i32.add (local.get $dy) (local.get $o))) (f32.mul (f32.load (i32.add (local.get $dy) (local.get $o))) (local.get $alpha))
          (f32.gt (f32.load (i32.add (local.get $x) (local.get $o))) (f32.const 0))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $sLoop))))
  (func (export "relu6Grad") (param $dy i32) (param $y i32) (param $out i32) (param $n i32)
    (local $i i32) (local $end4 i32) (local $v v128) (local $o i32) (local $yi f32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $vEnd (loop $vLoop
      (br_if $vEnd (i32.ge_u (local.get $i) (local.get $end4)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $v (v128.load (i32.add (local.get $y) (local.get $o))))
      (v128.store (i32.add (local.get $out) (local.get $o))
        (f32x4.mul (v128.load (i32.add (local.get $dy) (local.get $o)))
          (v128.and (v128.const f32x4 1 1 1 1)
            (v128.and (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)) (f32x4.lt (local.get $v) (v128.const f32x4 6 6 6 6))))))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $vLoop)))
    (block $sEnd (loop $sLoop
      (br_if $sEnd (i32.ge_u (local.get $i) (local.get $n)))
      (local.set $o (i32.shl (local.get $i) (i32.const 2)))
      (local.set $yi (f32.load (i32.add (local.get $y) (local.get $o))))
      (f32.store (i32.add (local.get $out) (local.get $o))
        (f32.mul (f32.load (i32.add (local.get $dy) (local.get $o)))
          (select (f32.const 1) (f32.const 0) (i32.and (f32.gt (local.get $yi) (f32.const 0)) (f32.lt (local.get $yi) (f32.const 6))))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $sLoop))))
  (func (export "maxPoolGradBand")
    (param $x i32) (param $g i32) (param $dx i32) (param $y i32) (param $b i32)
    (param $inH i32) (param $inW i32) (param $C i32) (param $outH i32) (param $outW i32)
    (param $fH i32) (param $fW i32) (param $sH i32) (param $sW i32) (param $pT i32) (param $pL i32) (param $c0 i32) (param $c1 i32)
    (local $oh i32) (local $ow i32) (local $h0 i32) (local $h1 i32) (local $w0 i32) (local $w1 i32)
    (local $ih i32) (local $iw i32) (local $c i32) (local $d i32) (local $p i32) (local $at i32)
    (local $m v128) (local $pos v128) (local $best v128) (local $lanes v128)
    (local.set $lanes (v128.const i32x4 0 1 2 3))
    (local.set $oh (i32.const 0))
    (block $ohEnd (loop $ohLoop
      (br_if $ohEnd (i32.ge_s (local.get $oh) (local.get $outH)))
      (local.set $h0 (i32.sub (i32.mul (local.get $oh) (local.get $sH)) (local.get $pT)))
      (local.set $h1 (i32.add (local.get $h0) (local.get $fH)))
      (if (i32.lt_s (local.get $h0) (i32.const 0)) (then (local.set $h0 (i32.const 0))))
      (if (i32.gt_s (local.get $h1) (local.get $inH)) (then (local.set $h1 (local.get $inH))))
      (local.set $ow (i32.const 0))
      (block $owEnd (loop $owLoop
        (br_if $owEnd (i32.ge_s (local.get $ow) (local.get $outW)))
        (local.set $w0 (i32.sub (i32.mul (local.get $ow) (local.get $sW)) (local.get $pL)))
        (local.set $w1 (i32.add (local.get $w0) (local.get $fW)))
        (if (i32.lt_s (local.get $w0) (i32.const 0)) (then (local.set $w0 (i32.const 0))))
        (if (i32.gt_s (local.get $w1) (local.get $inW)) (then (local.set $w1 (local.get $inW))))
        (local.set $d (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $outH)) (local.get $oh)) (local.get $outW)) (local.get $ow)) (local.get $C)))
        (local.set $c (local.get $c0))
        (block $cEnd (loop $cLoop
          (br_if $cEnd (i32.ge_s (local.get $c) (local.get $c1)))
          (local.set $m (v128.load (i32.add (local.get $y) (i32.shl (i32.add (local.get $d) (local.get $c)) (i32.const 2)))))
          (local.set $best (v128.const i32x4 -1 -1 -1 -1))
          (local.set $ih (i32.sub (local.get $h1) (i32.const 1)))
          (block $ihEnd (loop $ihLoop
            (br_if $ihEnd (i32.lt_s (local.get $ih) (local.get $h0)))
            (local.set $iw (i32.sub (local.get $w1) (i32.const 1)))
            (block $iwEnd (loop $iwLoop
              (br_if $iwEnd (i32.lt_s (local.get $iw) (local.get $w0)))
              (local.set $p (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $ih)) (local.get $inW)) (local.get $iw)) (local.get $C)) (local.get $c)))
              (local.set $pos (i32x4.add (i32x4.splat (local.get $p)) (local.get $lanes)))
              (local.set $best (v128.bitselect (local.get $pos) (local.get $best)
                (f32x4.eq (v128.load (i32.add (local.get $x) (i32.shl (local.get $p) (i32.const 2)))) (local.get $m))))
              (local.set $iw (i32.sub (local.get $iw) (i32.const 1)))
              (br $iwLoop)))
            (local.set $ih (i32.sub (local.get $ih) (i32.const 1)))
            (br $ihLoop)))
          ;; dx[at] += dy, lane by lane in channel order
          (local.set $p (i32.add (local.get $g) (i32.shl (i32.add (local.get $d) (local.get $c)) (i32.const 2))))
${[0, 1, 2, 3].map((lane) => `          (local.set $at (i32x4.extract_lane ${lane} (local.get $best)))
          (if (i32.ge_s (local.get $at) (i32.const 0)) (then (local.set $at (i32.add (local.get $dx) (i32.shl (local.get $at) (i32.const 2))))
            (f32.store (local.get $at) (f32.add (f32.load (local.get $at)) (f32.load offset=${lane * 4} (local.get $p))))))`).join('\n')}
          (local.set $c (i32.add (local.get $c) (i32.const 4)))
          (br $cLoop)))
        (local.set $ow (i32.add (local.get $ow) (i32.const 1)))
        (br $owLoop)))
      (local.set $oh (i32.add (local.get $oh) (i32.const 1)))
      (br $ohLoop))))
)`;
}
