import { DateField, useLocaleState, type DateFieldProps } from 'react-admin';

/** A date and time in the interface's language (24-hour 2026/11/23 17:21 in Chinese). */
export const DateTimeField = (props: DateFieldProps) => {
  const [locale] = useLocaleState();
  return <DateField showTime locales={locale} {...props} />;
};
