import { UploadGarbage } from './upload-garbage';

describe('UploadGarbage', () => {
  it('collects once per `everyBytes` received, across uploads', () => {
    let calls = 0;
    const garbage = new UploadGarbage(4, () => calls++);
    expect(garbage.active).toBe(true);
    for (const n of [1, 2]) garbage.received(n); // 3
    expect(calls).toBe(0);
    garbage.received(1); // 4
    expect(calls).toBe(1);
    garbage.received(3);
    expect(calls).toBe(1);
    garbage.received(10); // one big chunk: one collection, the count starts again
    expect(calls).toBe(2);
    expect(garbage.collections).toBe(2);
  });

  it('does nothing without an exposed gc', () => {
    const garbage = new UploadGarbage(1, undefined);
    garbage.received(100);
    expect(garbage.active).toBe(false);
    expect(garbage.collections).toBe(0);
  });
});
