import { publicOnlyLookup } from './host-guard';

const lookupOf = (host: string, all: boolean) =>
  new Promise<{ err: NodeJS.ErrnoException | null; address: unknown }>((resolve) =>
    publicOnlyLookup(host, { all }, (err, address) => resolve({ err, address })),
  );

describe('publicOnlyLookup', () => {
  it('refuses a name that resolves to an internal address (the socket never connects)', async () => {
    for (const all of [false, true]) {
      const { err } = await lookupOf('localhost', all);
      expect(err).toEqual(expect.objectContaining({ code: 'EINTERNALADDRESS' }));
    }
  });

  it('passes a public literal through, in both callback forms', async () => {
    expect(await lookupOf('93.184.215.14', false)).toEqual({ err: null, address: '93.184.215.14' });
    expect(await lookupOf('93.184.215.14', true)).toEqual({
      err: null,
      address: [{ address: '93.184.215.14', family: 4 }],
    });
  });
});
