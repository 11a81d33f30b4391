import { isMasked, maskIdNumber, maskPhone, maskValue, personalFieldsOf } from './index';

describe('personal data masks', () => {
  it('keeps an ID number’s first and last four characters', () => {
    expect(maskIdNumber('320508199001011234')).toBe('3205**********1234');
    expect(maskIdNumber('32050819900101123X')).toBe('3205**********123X');
    expect(maskIdNumber('320508900101123')).toBe('3205*******1123');
    expect(maskIdNumber('1234')).toBe('****');
  });

  it('keeps a phone’s first three and last four characters', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskPhone('0512-67270005')).toBe('051******0005');
    expect(maskPhone('95598')).toBe('***98');
    expect(maskValue('phone', '13800000011')).toBe('138****0011');
  });

  it('recognises a mask, which no valid value can be', () => {
    expect(isMasked(maskIdNumber('320508199001011234'))).toBe(true);
    expect(isMasked('320508199001011234')).toBe(false);
    expect(isMasked(null)).toBe(false);
  });

  it('names the personal fields of each resource for the UI', () => {
    expect(personalFieldsOf('staff')).toEqual({ id_number: 'id_number', mobile: 'phone' });
    expect(personalFieldsOf('committees')).toEqual({ 'members.phone': 'phone' });
    expect(personalFieldsOf('projects')).toEqual({});
  });
});
