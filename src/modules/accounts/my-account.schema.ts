import { z } from "zod";
import { passwordResetSchema } from "./accounts.schema.ts";

/**
 * The new password goes through the same rule as every password an administrator sets (the
 * password policy lives with the account schemas): one policy, whoever chooses the password.
 */
const newPassword = passwordResetSchema.shape.password;

export const ownPasswordSchema = z
  .object({
    currentPassword: z
      .string({ error: "Saisissez votre mot de passe actuel." })
      .min(1, "Saisissez votre mot de passe actuel.")
      .max(200, "Le mot de passe actuel est trop long."),
    password: newPassword,
    confirmation: z.string({ error: "Saisissez une seconde fois le nouveau mot de passe." }),
  })
  .superRefine((value, ctx) => {
    if (value.confirmation !== value.password) {
      ctx.addIssue({
        code: "custom",
        path: ["confirmation"],
        message: "La confirmation ne reprend pas le nouveau mot de passe : saisissez-le une seconde fois à l'identique.",
      });
    }
  });
export type OwnPasswordInput = z.output<typeof ownPasswordSchema>;
