(module
  ;; Vectors, the query, the slot list and the scores all live in this memory; the host grows it.
  (memory (export "memory") 1)
  ;; scores(query, base, stride, list, n, out): for i < n, out[i] = dot(query, base + list[i] * stride * 4)
  ;; over `stride` floats (a multiple of 8; padding is zero). Two f32x4 accumulators per vector.
  (func (export "scores")
    (param $q i32) (param $base i32) (param $stride i32) (param $list i32) (param $n i32) (param $out i32)
    (local $i i32) (local $v i32) (local $j i32) (local $bytes i32) (local $a v128) (local $b v128)
    (local.set $bytes (i32.shl (local.get $stride) (i32.const 2)))
    (block $done
      (loop $each
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $v
          (i32.add (local.get $base)
            (i32.mul (i32.load (i32.add (local.get $list) (i32.shl (local.get $i) (i32.const 2))))
                     (local.get $bytes))))
        (local.set $a (v128.const i32x4 0 0 0 0))
        (local.set $b (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (loop $dims
          (local.set $a (f32x4.add (local.get $a)
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $j)))
                       (v128.load (i32.add (local.get $q) (local.get $j))))))
          (local.set $b (f32x4.add (local.get $b)
            (f32x4.mul (v128.load offset=16 (i32.add (local.get $v) (local.get $j)))
                       (v128.load offset=16 (i32.add (local.get $q) (local.get $j))))))
          (local.set $j (i32.add (local.get $j) (i32.const 32)))
          (br_if $dims (i32.lt_u (local.get $j) (local.get $bytes))))
        (local.set $a (f32x4.add (local.get $a) (local.get $b)))
        (f32.store (i32.add (local.get $out) (i32.shl (local.get $i) (i32.const 2)))
          (f32.add
            (f32.add (f32x4.extract_lane 0 (local.get $a)) (f32x4.extract_lane 1 (local.get $a)))
            (f32.add (f32x4.extract_lane 2 (local.get $a)) (f32x4.extract_lane 3 (local.get $a)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $each))))
)
