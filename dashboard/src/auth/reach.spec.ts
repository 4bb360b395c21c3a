import { describe, expect, it } from '@jest/globals';
import { fixedReach, unitsOfContracts } from './reach';

describe('reach: the units a district user or an operator is offered (issue 15)', () => {
  it('reads an operator\'s units from its contracts\' extranet services, in the city\'s order, once each', () => {
    expect(unitsOfContracts([{ services: ['extranet:520121', 'cloud'] }, { services: ['extranet:520103', 'extranet:520121', 'extranet:gy-hitech'] }])).toEqual(['520103', '520121', 'gy-hitech']);
    expect(unitsOfContracts([{ services: ['share', 'open'] }])).toEqual([]);
    expect(unitsOfContracts([])).toEqual([]);
  });

  it('confines a district user to its unit and leaves the city roles unconfined', () => {
    expect(fixedReach({ role: 'district', district: '520103' })).toEqual(['520103']);
    expect(fixedReach({ role: 'ops' })).toBeNull();
    expect(fixedReach({ role: 'leader' })).toBeNull();
    expect(fixedReach(null)).toBeNull();
  });
});
