import { Anchor, type AnchorProps, Card, type CardProps } from '@mantine/core';
import { createLink } from '@tanstack/react-router';
import { type AnchorHTMLAttributes, forwardRef } from 'react';

/**
 * Mantine components as typed router links (route, params and search are checked), so a link
 * looks like the kit's anchor or card and navigates without a page load.
 */
const AnchorBase = forwardRef<HTMLAnchorElement, AnchorProps & AnchorHTMLAttributes<HTMLAnchorElement>>(
  (props, ref) => <Anchor component="a" ref={ref} {...props} />,
);
AnchorBase.displayName = 'AnchorBase';

const CardBase = forwardRef<HTMLAnchorElement, CardProps & AnchorHTMLAttributes<HTMLAnchorElement>>(
  (props, ref) => <Card component="a" ref={ref} {...props} />,
);
CardBase.displayName = 'CardBase';

export const AnchorLink = createLink(AnchorBase);
export const CardLink = createLink(CardBase);
