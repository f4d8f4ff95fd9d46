// Extent comparison from filefrag's output: which blocks an incremental may leave unread.
import { describe, expect, it } from "vitest";
import { holeBlocks, parseFilefrag, sharedBlocks } from "../../src/engine/image/extents.js";

// Real `filefrag -e -s -b1` output (e2fsprogs 1.47.0) on XFS with reflink=1: `b` a reflink copy
// of `a`, then 128 KiB of `a` rewritten at 640 KiB (copy on write gave them new blocks).
const A = `Filesystem type is: 58465342
File size of a is 8388608 (8388608 blocks of 1 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0..  655359:      98304..    753663: 655360:             shared
   1:   655360..  786431:    8486912..   8617983: 131072:     753664:
   2:   786432.. 8388607:     884736..   8486911: 7602176:    8617984: last,shared,eof
a: 3 extents found
`;
const B = `Filesystem type is: 58465342
File size of b is 8388608 (8388608 blocks of 1 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:        0..  655359:      98304..    753663: 655360:             shared
   1:   655360..  786431:     753664..    884735: 131072:            
   2:   786432.. 8388607:     884736..   8486911: 7602176:             last,shared,eof
b: 1 extent found
`;
const KiB = 1024;
// Real output (e2fsprogs 1.47.0, ext4): an 8 MiB file made by `truncate`, 128 KiB written at
// 256 KiB, then 1 MiB at 4 MiB preallocated with `fallocate` (unwritten: reads as zeros).
const SPARSE = `Filesystem type is: ef53
File size of sp.raw is 8388608 (8388608 blocks of 1 bytes)
 ext:     logical_offset:        physical_offset: length:   expected: flags:
   0:   262144..  393215: 210055200768..210055331839: 131072:     262144:
   1:  4194304.. 5242879: 210053890048..210054938623: 1048576: 210059132928: last,unwritten
sp.raw: 2 extents found
`;

describe("extent comparison", () => {
  it("parses filefrag's rows, with and without the expected column", () => {
    expect(parseFilefrag(A)).toEqual([
      { logical: 0, physical: 98304, length: 655360, unknown: false },
      { logical: 655360, physical: 8486912, length: 131072, unknown: false },
      { logical: 786432, physical: 884736, length: 7602176, unknown: false },
    ]);
    expect(parseFilefrag(B)[1]).toEqual({ logical: 655360, physical: 753664, length: 131072, unknown: false });
  });

  it("marks as unchanged exactly the blocks at the same physical place in both files", () => {
    const shared = sharedBlocks(parseFilefrag(A), parseFilefrag(B), 8 * 1024 * KiB, 64 * KiB);
    const changed = [...shared.keys()].filter((k) => shared[k] === 0);
    expect(changed).toEqual([10, 11]); // 640 KiB .. 768 KiB
    expect(shared.length).toBe(128);
  });

  it("a block partly rewritten is changed; a hole in both files is unchanged; a hole on one side is changed", () => {
    const img = [
      { logical: 0, physical: 1000_000, length: 100 * KiB, unknown: false },
      { logical: 100 * KiB, physical: 5000_000, length: 10 * KiB, unknown: false }, // rewritten inside block 1
      { logical: 110 * KiB, physical: 1000_000 + 110 * KiB, length: 18 * KiB, unknown: false },
      // 128..192 KiB: a hole in both; 192..256 KiB: data only in the snapshot
    ];
    const snap = [
      { logical: 0, physical: 1000_000, length: 128 * KiB, unknown: false },
      { logical: 192 * KiB, physical: 9000_000, length: 64 * KiB, unknown: false },
    ];
    expect([...sharedBlocks(img, snap, 256 * KiB, 64 * KiB)]).toEqual([1, 0, 1, 0]);
  });

  it("an extent without a stable location (delayed allocation) is never taken as unchanged", () => {
    const row = "   0:        0..   65535:          0..     65535:  65536:             last,unknown_loc,delalloc,eof";
    const [e] = parseFilefrag(row);
    expect(e.unknown).toBe(true);
    expect([...sharedBlocks([e], [e], 64 * KiB, 64 * KiB)]).toEqual([0]);
  });

  it("a sparse image's holes and preallocated ranges are the blocks without data", () => {
    const ext = parseFilefrag(SPARSE);
    expect(ext[1]).toMatchObject({ logical: 4194304, length: 1048576, unwritten: true });
    // 1 MiB blocks: only block 0 holds data; 512 KiB blocks: block 0 (256 – 384 KiB) too.
    expect([...holeBlocks(ext, 8 * 1024 * KiB, 1024 * KiB)]).toEqual([0, 1, 1, 1, 1, 1, 1, 1]);
    expect([...holeBlocks(ext, 8 * 1024 * KiB, 128 * KiB)].slice(0, 4)).toEqual([1, 1, 0, 1]);
    // A short last block and an extent running past the size.
    expect([...holeBlocks([{ logical: 2_500_000, physical: 0, length: 1_000_000, unknown: false }], 3_000_000, 1024 * KiB)]).toEqual([1, 1, 0]);
  });
});
